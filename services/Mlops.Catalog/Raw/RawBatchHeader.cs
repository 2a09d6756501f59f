namespace Mlops.Catalog.Raw;

/// <summary>What a landing says about its batch: its id (a client's, so a retry lands it once), environment, producer and description.</summary>
public sealed record RawBatchHeader(Guid BatchId, string Environment, string Producer, string? Description = null);
