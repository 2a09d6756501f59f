namespace Mlops.Serving.Inference;

/// <summary>One logged prediction.</summary>
public sealed record InferenceRecord(
    Guid RequestId,
    int RowIndex,
    string ModelName,
    int ModelVersion,
    bool Shadow,
    string FeaturesJson,
    double Prediction,
    double LatencyMilliseconds,
    DateTimeOffset ServedAt);
