using Mlops.Catalog;

namespace Mlops.Promotion;

/// <summary>How a challenger is judged, with per-model overrides.</summary>
public sealed class PromotionOptions
{
    public const string Section = "Promotion";

    /// <summary>The deciding metric on the holdout: auc, accuracy, f1, log_loss, precision or recall.</summary>
    public string Metric { get; set; } = PromotionMetrics.Auc;

    /// <summary>How much better than the champion a challenger must be, so that noise does not churn the champion.</summary>
    public double MinimumDelta { get; set; } = 0.005;

    /// <summary>What a first version must reach when there is no champion to beat.</summary>
    public double BaselineThreshold { get; set; } = 0.7;

    /// <summary>Overrides by the model's full name.</summary>
    public Dictionary<string, ModelPromotionOptions> Models { get; set; } = [];

    public PromotionPolicy PolicyFor(ModelName model)
    {
        var overrides = Models.GetValueOrDefault(model.FullName);
        return new PromotionPolicy(
            overrides?.Metric ?? Metric,
            overrides?.MinimumDelta ?? MinimumDelta,
            overrides?.BaselineThreshold ?? BaselineThreshold);
    }
}
