namespace Mlops.Notifications.Events;

/// <summary>What one message means to a webhook receiver: its type, the model it is about (null: none), and the message itself as <c>data</c>.</summary>
public sealed record WebhookEvent(string Type, string? ModelName, string? Environment, object Data);
