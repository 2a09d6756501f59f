namespace Mlops.Api.Requests;

/// <summary>An upstream pipeline landed a batch of raw rows (it wrote them into the landing table itself).</summary>
public sealed record DataLandedRequest(string? Environment, Guid? BatchId, string? SourceTable, long? RowCount, DateTimeOffset? LandedAt);
