using Mlops.Catalog;
using Mlops.Contracts;

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

    /// <summary>
    /// The model's own override, else what the run's environment set (<paramref name="run"/>, from Pipeline:Environments),
    /// else the defaults. Thresholds on the command that could not decide a promotion throw <see cref="EvaluationException"/>.
    /// </summary>
    public PromotionPolicy PolicyFor(ModelName model, EvaluateChallenger? run = null)
    {
        if (run is not null)
        {
            var problems = new List<string>();
            PromotionOptionsValidator.Check(problems, nameof(EvaluateChallenger), run.Metric, run.MinimumDelta, run.BaselineThreshold);
            if (problems.Count > 0)
                throw new EvaluationException($"The run's environment sets thresholds that cannot decide a promotion: {string.Join(" ", problems)}");
        }
        var overrides = Models.GetValueOrDefault(model.FullName);
        return new PromotionPolicy(
            overrides?.Metric ?? run?.Metric ?? Metric,
            overrides?.MinimumDelta ?? run?.MinimumDelta ?? MinimumDelta,
            overrides?.BaselineThreshold ?? run?.BaselineThreshold ?? BaselineThreshold);
    }
}
