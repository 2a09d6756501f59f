namespace Mlops.Monitoring.Evaluation;

/// <summary>What a metric result is about: a feature, the prediction distribution, or the model as a whole (performance, latency).</summary>
public static class SubjectKinds
{
    public const string Feature = "feature";
    public const string Prediction = "prediction";
    public const string Model = "model";

    /// <summary>The subject name of prediction metrics, as DriftDetected names it.</summary>
    public const string PredictionSubject = "prediction";

    /// <summary>The subject name of model-wide metrics.</summary>
    public const string ModelSubject = "model";
}
