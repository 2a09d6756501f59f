namespace Mlops.Api.Requests;

/// <summary>Move the champion back: to <see cref="ToVersion"/>, or to the champion before the current one when empty.</summary>
public sealed record RollbackRequest(int? ToVersion, string? Reason);
