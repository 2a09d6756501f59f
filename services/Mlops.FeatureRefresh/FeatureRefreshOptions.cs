using System.ComponentModel.DataAnnotations;

namespace Mlops.FeatureRefresh;

public sealed class FeatureRefreshOptions
{
    public const string Section = "FeatureRefresh";

    /// <summary>The largest share of missing values a feature (or the label) may have before the refresh refuses the batch.</summary>
    [Range(0.0, 1.0)]
    public double MaxNullRate { get; set; } = 0.05;

    /// <summary>The fewest rows a batch may have to make a feature table version.</summary>
    [Range(1, int.MaxValue)]
    public int MinimumRows { get; set; } = 1;

    /// <summary>Refreshes one instance computes at once: each holds a database connection for its computation.</summary>
    [Range(1, 64)]
    public int ConcurrentRefreshes { get; set; } = 2;

    /// <summary>Register the feature tables bundled with the service (examples/features) at start-up.</summary>
    public bool RegisterBundledTables { get; set; } = true;
}
