namespace Mlops.Promotion;

/// <summary>One model's overrides of the promotion defaults (<c>Promotion:Models:&lt;catalog.schema.model&gt;</c>); unset values inherit.</summary>
public sealed class ModelPromotionOptions
{
    public string? Metric { get; set; }

    public double? MinimumDelta { get; set; }

    public double? BaselineThreshold { get; set; }
}
