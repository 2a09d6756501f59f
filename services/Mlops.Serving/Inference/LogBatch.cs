namespace Mlops.Serving.Inference;

/// <summary>
/// Rows of one model written in one transaction. The id is fixed before the first attempt and recorded with the rows
/// (serving.logged_batches), so a retry or a replay of a batch that did commit writes nothing twice.
/// </summary>
public sealed record LogBatch(Guid BatchId, string ModelName, IReadOnlyList<InferenceRecord> Rows);
