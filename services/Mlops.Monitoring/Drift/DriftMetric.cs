namespace Mlops.Monitoring.Drift;

/// <summary>The names measurements carry: stable, because they are stored with window results and published in events.</summary>
public static class DriftMetric
{
    public const string Psi = "psi";
    public const string KolmogorovSmirnov = "ks";
    public const string JensenShannon = "js_distance";
    public const string Wasserstein = "wasserstein";
    public const string NormalizedWasserstein = "wasserstein_normalized";
    public const string TotalVariation = "tvd";
    public const string NullRate = "null_rate";
    public const string Accuracy = "accuracy";
    public const string Auc = "auc";
    public const string LatencyP99 = "latency_p99";
}
