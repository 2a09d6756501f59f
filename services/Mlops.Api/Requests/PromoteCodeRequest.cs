namespace Mlops.Api.Requests;

/// <summary>Promote a code version of a model into the next environment of the chain (dev → staging → prod). The promoting principal is the caller.</summary>
public sealed record PromoteCodeRequest(string? CodeVersion, string? To);
