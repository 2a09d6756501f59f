namespace Mlops.Api.Responses;

/// <summary>A file landed as a batch (RawDataLanded went out with it); <see cref="Replayed"/>: the batch id had landed before, and nothing was landed again.</summary>
public sealed record RawBatchLanded(Guid BatchId, string Environment, string SourceTable, long RowCount, DateTimeOffset LandedAt, bool Replayed);
