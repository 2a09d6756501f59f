namespace Mlops.Api.Requests;

/// <summary>New training code released for a model: the deploy-code trigger. The releasing principal is the caller.</summary>
public sealed record CodeReleasedRequest(string? ModelName, string? CodeVersion, string? Trainer, IReadOnlyDictionary<string, string>? Parameters,
    IReadOnlyDictionary<string, string>? Tags, string? Description);
