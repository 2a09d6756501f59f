namespace Mlops.Monitoring.Evaluation;

/// <summary>The alerts a confirmed breach opens, each announced by its own event.</summary>
public static class AlertKinds
{
    /// <summary>DriftDetected.</summary>
    public const string Drift = "drift";

    /// <summary>DataQualityViolated (null rate).</summary>
    public const string DataQuality = "data_quality";

    /// <summary>ModelPerformanceDegraded.</summary>
    public const string Performance = "performance";

    /// <summary>LatencyBreached (serving latency p99).</summary>
    public const string Latency = "latency";
}
