namespace Mlops.Api.Responses;

/// <summary>A batch landed with its rows; RawDataLanded went out through the outbox in the same transaction.</summary>
public sealed record LandedBatch(Guid BatchId, string Environment, string SourceTable, int RowCount);
