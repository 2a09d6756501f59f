namespace Mlops.Api.Responses;

/// <summary>An event type a subscription can name; one that is not model-scoped (security.alert) only reaches registry-wide subscriptions.</summary>
public sealed record WebhookEventType(string Name, string Description, bool ModelScoped);
