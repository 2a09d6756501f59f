namespace Mlops.Api.Requests;

/// <summary>Send again every event of a subscription that occurred in [from, to).</summary>
public sealed record ReplayWebhookRequest(DateTimeOffset? From, DateTimeOffset? To);
