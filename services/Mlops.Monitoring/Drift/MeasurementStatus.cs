namespace Mlops.Monitoring.Drift;

public enum MeasurementStatus
{
    Computed,

    /// <summary>The data does not allow the metric (e.g. an empty window); the measurement says why.</summary>
    NotComputable,
}
