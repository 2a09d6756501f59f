using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Monitoring.Drift;

namespace Mlops.Monitoring;

/// <summary>Refuses to start on a configuration that could not window or judge predictions, naming every setting at fault.</summary>
public sealed class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitoringOptions options)
    {
        var failures = new List<string>();
        var section = MonitoringOptions.Section;
        if (options.WindowSize < TimeSpan.FromSeconds(1) || options.WindowSize > TimeSpan.FromDays(1))
            failures.Add($"{section}:WindowSize is {options.WindowSize}; expected between 1 second and 1 day.");
        if (options.WindowGrace < TimeSpan.Zero)
            failures.Add($"{section}:WindowGrace is {options.WindowGrace}; expected zero or more.");
        if (options.EvaluationInterval < TimeSpan.FromMilliseconds(100))
            failures.Add($"{section}:EvaluationInterval is {options.EvaluationInterval}; expected at least 100 ms.");

        Check(failures, $"{section}:Defaults", options.Defaults, MonitoringPolicy.Resolve(options.Defaults, null));
        foreach (var (model, overrides) in options.Models)
        {
            if (!ModelName.TryParse(model, out _, out var error))
                failures.Add($"{section}:Models: {error}");
            Check(failures, $"{section}:Models:{model}", overrides, MonitoringPolicy.Resolve(options.Defaults, overrides));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string path, ModelMonitoringOptions options, MonitoringPolicy policy)
    {
        if (options.MinimumRows is < 1)
            failures.Add($"{path}:MinimumRows is {options.MinimumRows}; expected at least 1.");
        if (policy.ConfirmationWindows is < 1 or > 1000)
            failures.Add($"{path}:ConfirmationWindows is {policy.ConfirmationWindows}; expected between 1 and 1000.");
        if (policy.ConfirmationBreaches < 1 || policy.ConfirmationBreaches > policy.ConfirmationWindows)
            failures.Add($"{path}:ConfirmationBreaches is {policy.ConfirmationBreaches}; expected between 1 and ConfirmationWindows ({policy.ConfirmationWindows}).");

        CheckThresholds(failures, $"{path}:FeatureThresholds", options.FeatureThresholds, MonitoringPolicy.DistributionMetrics);
        CheckThresholds(failures, $"{path}:PredictionThresholds", options.PredictionThresholds, MonitoringPolicy.DistributionMetrics);
        CheckThresholds(failures, $"{path}:PerformanceDropThresholds", options.PerformanceDropThresholds, MonitoringPolicy.PerformanceMetrics);
        if (options.LatencyP99Milliseconds is { } latency && (!double.IsFinite(latency) || latency < 0))
            failures.Add($"{path}:LatencyP99Milliseconds is {latency}; expected a finite number of at least 0.");
        if (options.DecisionThreshold is { } decision && !(decision is > 0 and < 1))
            failures.Add($"{path}:DecisionThreshold is {decision}; expected a number between 0 and 1.");

        CheckDriftMetrics(failures, $"{path}:FeatureDriftMetrics", policy.FeatureDriftMetrics, policy.FeatureThresholds);
        CheckDriftMetrics(failures, $"{path}:PredictionDriftMetrics", policy.PredictionDriftMetrics, policy.PredictionThresholds);
    }

    private static void CheckThresholds(List<string> failures, string path, Dictionary<string, double> thresholds, IReadOnlySet<string> known)
    {
        foreach (var (metric, threshold) in thresholds)
        {
            if (!known.Contains(metric))
                failures.Add($"{path} names '{metric}'; known metrics: {string.Join(", ", known.Order())}.");
            if (!double.IsFinite(threshold) || threshold < 0)
                failures.Add($"{path}:{metric} is {threshold}; expected a finite number of at least 0.");
        }
    }

    private static void CheckDriftMetrics(List<string> failures, string path, IReadOnlySet<string> metrics, IReadOnlyDictionary<string, double> thresholds)
    {
        foreach (var metric in metrics)
        {
            if (metric == DriftMetric.NullRate)
                failures.Add($"{path} names null_rate, which raises DataQualityViolated rather than DriftDetected.");
            else if (!MonitoringPolicy.DistributionMetrics.Contains(metric))
                failures.Add($"{path} names '{metric}'; known metrics: {string.Join(", ", MonitoringPolicy.DistributionMetrics.Order())}.");
            else if (!thresholds.ContainsKey(metric))
                failures.Add($"{path} names '{metric}', which has no threshold: it could never be breached.");
        }
    }
}
