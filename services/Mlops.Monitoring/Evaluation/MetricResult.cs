namespace Mlops.Monitoring.Evaluation;

/// <summary>One metric of one window, judged by the model's policy: a row of monitoring.metric_results.</summary>
public sealed record MetricResult
{
    public required string SubjectKind { get; init; }
    public required string Subject { get; init; }
    public required string Metric { get; init; }
    public required string Status { get; init; }

    /// <summary>Null when the metric was not computable.</summary>
    public double? Value { get; init; }

    /// <summary>The threshold the value was (or would have been) judged by; for accuracy and AUC the largest allowed drop.</summary>
    public double? Threshold { get; init; }

    public bool Breached => Status == ResultStatus.Breached;

    /// <summary>Judged against a threshold: only these count towards confirming or clearing an alert.</summary>
    public bool IsJudged => Status is ResultStatus.Breached or ResultStatus.Ok;

    /// <summary>The training-time value of a level metric (null rate, accuracy, AUC).</summary>
    public double? Baseline { get; init; }

    public double? PValue { get; init; }
    public string? Method { get; init; }
    public long SampleSize { get; init; }
    public string? Reason { get; init; }
}
