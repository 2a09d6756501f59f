namespace Mlops.Compliance;

/// <summary>One model's overrides of the compliance defaults (<c>Compliance:Models:&lt;catalog.schema.model&gt;</c>); unset values inherit.</summary>
public sealed class ModelComplianceOptions
{
    public string? Mode { get; set; }

    /// <summary>Replaces the default list when set.</summary>
    public string[]? RequiredTags { get; set; }

    /// <summary>Merged over the default floors, metric by metric.</summary>
    public Dictionary<string, double> MetricFloors { get; set; } = [];
}
