using Microsoft.Extensions.Options;
using Mlops.Catalog;

namespace Mlops.Compliance;

/// <summary>Refuses to start on a configuration that would check versions against rules nobody meant.</summary>
public sealed class ComplianceOptionsValidator : IValidateOptions<ComplianceOptions>
{
    public ValidateOptionsResult Validate(string? name, ComplianceOptions options)
    {
        var failures = new List<string>();
        var section = ComplianceOptions.Section;
        CheckPolicy(failures, section, options.Mode, options.RequiredTags, options.MetricFloors);

        foreach (var (model, overrides) in options.Models)
        {
            if (!ModelName.TryParse(model, out _, out var error))
                failures.Add($"{section}:Models: {error}");
            CheckPolicy(failures, $"{section}:Models:{model}", overrides.Mode, overrides.RequiredTags, overrides.MetricFloors);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static void CheckPolicy(List<string> failures, string path, string? mode, string[]? requiredTags, Dictionary<string, double> floors)
    {
        if (mode is not null && !ComplianceModes.All.Contains(mode))
            failures.Add($"{path}:Mode is '{mode}'; expected {string.Join(", ", ComplianceModes.All)}.");

        foreach (var tag in requiredTags ?? [])
        {
            if (string.IsNullOrWhiteSpace(tag))
                failures.Add($"{path}:RequiredTags lists an empty tag.");
        }

        foreach (var (metric, floor) in floors)
        {
            if (!ComplianceMetrics.Known.Contains(metric))
                failures.Add($"{path}:MetricFloors names '{metric}'; known metrics: {string.Join(", ", ComplianceMetrics.Known)}.");
            else if (!double.IsFinite(floor) || floor < 0 || (!ComplianceMetrics.LowerIsBetter(metric) && floor > 1))
                failures.Add($"{path}:MetricFloors:{metric} is {floor}; expected a number from 0{(ComplianceMetrics.LowerIsBetter(metric) ? "" : " to 1")}.");
        }
    }
}
