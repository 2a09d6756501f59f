using System.Text.Json.Serialization;

namespace Mlops.Monitoring.Drift;

/// <summary>
/// One metric of one window against its reference. Drift checks run unattended over whatever arrived, so when the data
/// does not allow a metric (an empty window, a column of nulls, a reference without spread) the answer is a measurement
/// with status <see cref="MeasurementStatus.NotComputable"/>, a NaN value and the reason — not an exception.
/// </summary>
public sealed record DriftMeasurement
{
    public required string Metric { get; init; }
    public required MeasurementStatus Status { get; init; }
    public double Value { get; init; } = double.NaN;

    /// <summary>Why the metric could not be computed; null when it was.</summary>
    public string? Reason { get; init; }

    /// <summary>How many window values the metric used (finite values, labelled rows): thresholds on tiny windows are the caller's policy.</summary>
    public long SampleSize { get; init; }

    public double? PValue { get; init; }

    /// <summary>How the value was obtained where there is more than one way (KS: exact, asymptotic, binned).</summary>
    public string? Method { get; init; }

    /// <summary>The training-time value of a level metric (null rate, accuracy, AUC).</summary>
    public double? Baseline { get; init; }

    [JsonIgnore]
    public bool IsComputed => Status == MeasurementStatus.Computed;

    /// <summary>Value − Baseline: a rise of the null rate is positive, a drop of accuracy negative.</summary>
    [JsonIgnore]
    public double? Change => IsComputed && Baseline is { } baseline ? Value - baseline : null;

    public static DriftMeasurement Computed(string metric, double value, long sampleSize) =>
        new() { Metric = metric, Status = MeasurementStatus.Computed, Value = value, SampleSize = sampleSize };

    public static DriftMeasurement NotComputable(string metric, string reason, long sampleSize = 0) =>
        new() { Metric = metric, Status = MeasurementStatus.NotComputable, Reason = reason, SampleSize = sampleSize };
}
