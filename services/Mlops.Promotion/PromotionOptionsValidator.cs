using Microsoft.Extensions.Options;
using Mlops.Catalog;

namespace Mlops.Promotion;

/// <summary>Refuses to start on a configuration that could not decide a promotion.</summary>
public sealed class PromotionOptionsValidator : IValidateOptions<PromotionOptions>
{
    public ValidateOptionsResult Validate(string? name, PromotionOptions options)
    {
        var failures = new List<string>();
        var section = PromotionOptions.Section;
        Check(failures, section, options.Metric, options.MinimumDelta, options.BaselineThreshold);

        foreach (var (model, overrides) in options.Models)
        {
            if (!ModelName.TryParse(model, out _, out var error))
                failures.Add($"{section}:Models: {error}");
            Check(failures, $"{section}:Models:{model}", overrides.Metric, overrides.MinimumDelta, overrides.BaselineThreshold);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static void Check(List<string> failures, string path, string? metric, double? minimumDelta, double? baselineThreshold)
    {
        if (metric is not null && !PromotionMetrics.Known.Contains(metric))
            failures.Add($"{path}:Metric is '{metric}'; known metrics: {string.Join(", ", PromotionMetrics.Known)}.");
        if (minimumDelta is { } delta && (!double.IsFinite(delta) || delta < 0))
            failures.Add($"{path}:MinimumDelta is {delta}; expected a finite number of at least 0.");
        if (baselineThreshold is { } threshold && (!double.IsFinite(threshold) || threshold < 0))
            failures.Add($"{path}:BaselineThreshold is {threshold}; expected a finite number of at least 0.");
    }
}
