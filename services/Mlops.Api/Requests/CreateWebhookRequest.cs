namespace Mlops.Api.Requests;

/// <summary>
/// A webhook subscription: the receiver's URL, the model it is about (none: registry-wide), the event types it wants, and the
/// secret deliveries are signed with (chosen by the caller, kept encrypted, never shown again).
/// </summary>
public sealed record CreateWebhookRequest(string? Url, string? Model, IReadOnlyList<string>? EventTypes, string? Secret, string? Description);
