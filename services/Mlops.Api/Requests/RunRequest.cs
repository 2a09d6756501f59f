namespace Mlops.Api.Requests;

/// <summary>A pipeline run asked for by hand; <see cref="Parameters"/> override the released code's, <see cref="CodeVersion"/> defaults to the last released.</summary>
public sealed record RunRequest(string? ModelName, string? Reason, string? CodeVersion, IReadOnlyDictionary<string, string>? Parameters);
