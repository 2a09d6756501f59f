using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Hosting.Data;

namespace Mlops.Orchestrator.Configuration;

/// <summary>Fails start-up with every configuration mistake at once, rather than the first trigger failing at run time.</summary>
public sealed class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var errors = new List<string>();

        foreach (var (step, timeout) in options.StepTimeouts.All())
        {
            if (timeout <= TimeSpan.Zero)
                errors.Add($"Pipeline:StepTimeouts:{step} must be positive, not {timeout}.");
        }

        if (options.StartGracePeriod <= TimeSpan.Zero)
            errors.Add($"Pipeline:StartGracePeriod must be positive, not {options.StartGracePeriod}.");

        for (var i = 0; i < options.Models.Count; i++)
            errors.AddRange(ValidateModel($"Pipeline:Models:{i}", options.Models[i]));

        var repeated = options.Models.GroupBy(m => m.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);
        errors.AddRange(repeated.Select(model => $"Pipeline:Models names {model} more than once."));

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static IEnumerable<string> ValidateModel(string path, PipelineModelOptions model)
    {
        if (!ModelName.TryParse(model.Name, out _, out var nameError))
            yield return $"{path}:Name: {nameError}";

        if (!SqlIdentifier.IsValid(model.FeatureTable))
            yield return $"{path}:FeatureTable '{model.FeatureTable}' is not a feature table name (lower-case letters, digits and underscores).";

        if (model.SourceTable.Split('.') is not [var schema, var table] || !SqlIdentifier.IsValid(schema) || !SqlIdentifier.IsValid(table))
            yield return $"{path}:SourceTable '{model.SourceTable}' is not a landing table name: expected schema.table, e.g. raw.churn_customers.";

        if (model.Cooldown is { } cooldown && cooldown < TimeSpan.Zero)
            yield return $"{path}:Cooldown must not be negative, not {cooldown}.";
    }
}
