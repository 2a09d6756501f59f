namespace Mlops.Api.Responses;

/// <summary>A webhook subscription as the API shows it: never its secret. Status is active, disabled (410 Gone from the receiver) or deleted.</summary>
public sealed record WebhookSubscription(Guid Id, string Url, string? Model, string[] EventTypes, string Description, string Status,
    string? StatusReason, string CreatedBy, DateTime CreatedAt);
