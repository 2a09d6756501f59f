namespace Mlops.Api.Requests;

/// <summary>Why a subscription disabled by a 410 Gone is turned back on (kept as its status reason), e.g. "receiver redeployed".</summary>
public sealed record EnableWebhookRequest(string? Reason);
