namespace Mlops.Catalog.Scoring;

/// <summary>A batch scoring job that cannot be planned, naming the input at fault.</summary>
public sealed class BatchScoringRefusedException(BatchScoringRefusal refusal, string field, string message) : Exception(message)
{
    public BatchScoringRefusal Refusal { get; } = refusal;

    /// <summary>The request field at fault: model, version, featureTable, featureVersion or entityKeys.</summary>
    public string Field { get; } = field;
}
