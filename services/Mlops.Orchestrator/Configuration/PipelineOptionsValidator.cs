using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Scheduling;

namespace Mlops.Orchestrator.Configuration;

/// <summary>
/// Fails start-up with every configuration mistake at once, rather than the first trigger failing at run time. Keys the
/// options do not know are mistakes too (a typo, or a setting that was replaced): bound silently, they would change nothing.
/// </summary>
public sealed class PipelineOptionsValidator(IConfiguration configuration) : IValidateOptions<PipelineOptions>
{
    private static readonly Dictionary<string, string> Replaced = new(StringComparer.OrdinalIgnoreCase)
    {
        ["RetrainOnNewData"] = "OnNewData replaced it: \"OnNewData\": \"Retrain\" is what true did, \"Ignore\" what false did, " +
            "and \"RetrainUntilChampion\" retrains on new data only until the model has a champion",
    };

    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var section = configuration.GetSection(PipelineOptions.Section);
        var errors = new List<string>();

        errors.AddRange(UnknownSettings(section, typeof(PipelineOptions)));
        errors.AddRange(UnknownSettings(section.GetSection(nameof(PipelineOptions.StepTimeouts)), typeof(PipelineStepTimeouts)));
        foreach (var model in section.GetSection(nameof(PipelineOptions.Models)).GetChildren())
            errors.AddRange(UnknownSettings(model, typeof(PipelineModelOptions)));
        errors.AddRange(UnknownSettings(section.GetSection(nameof(PipelineOptions.Promotion)), typeof(PromotionChain)));
        foreach (var environment in section.GetSection(nameof(PipelineOptions.Environments)).GetChildren())
        {
            if (!ModelName.Environments.Contains(environment.Key))
                errors.Add($"{environment.Path} is not an environment: Pipeline:Environments knows dev, staging and prod.");
            errors.AddRange(UnknownSettings(environment, typeof(PipelineEnvironmentOptions)));
            errors.AddRange(UnknownSettings(environment.GetSection(nameof(PipelineEnvironmentOptions.Thresholds)), typeof(PipelineThresholdOptions)));
        }
        foreach (var (environment, settings) in options.Environments)
        {
            if (settings.Cooldown is { } cooldown && cooldown < TimeSpan.Zero)
                errors.Add($"Pipeline:Environments:{environment}:Cooldown must not be negative, not {cooldown}.");
            errors.AddRange(ValidateSteps($"Pipeline:Environments:{environment}", settings));
        }
        errors.AddRange(options.Promotion.Problems());

        foreach (var (step, timeout) in options.StepTimeouts.All())
        {
            if (timeout <= TimeSpan.Zero)
                errors.Add($"Pipeline:StepTimeouts:{step} must be positive, not {timeout}.");
        }

        if (options.ApprovalReminderBefore < TimeSpan.Zero)
            errors.Add($"Pipeline:ApprovalReminderBefore must not be negative, not {options.ApprovalReminderBefore}.");

        if (options.StartGracePeriod <= TimeSpan.Zero)
            errors.Add($"Pipeline:StartGracePeriod must be positive, not {options.StartGracePeriod}.");

        if (options.DefaultCooldown < TimeSpan.Zero)
            errors.Add($"Pipeline:DefaultCooldown must not be negative, not {options.DefaultCooldown}.");

        if (options.DeadlineGracePeriod <= TimeSpan.Zero)
            errors.Add($"Pipeline:DeadlineGracePeriod must be positive, not {options.DeadlineGracePeriod}.");

        if (options.SweepInterval <= TimeSpan.Zero)
            errors.Add($"Pipeline:SweepInterval must be positive, not {options.SweepInterval}.");

        if (options.ScheduleCheckInterval <= TimeSpan.Zero)
            errors.Add($"Pipeline:ScheduleCheckInterval must be positive, not {options.ScheduleCheckInterval}.");

        for (var i = 0; i < options.Models.Count; i++)
            errors.AddRange(ValidateModel($"Pipeline:Models:{i}", options.Models[i]));

        var repeated = options.Models.GroupBy(m => m.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);
        errors.AddRange(repeated.Select(model => $"Pipeline:Models names {model} more than once."));

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static IEnumerable<string> UnknownSettings(IConfigurationSection section, Type options)
    {
        var known = options.GetProperties().Where(p => p.CanWrite).Select(p => p.Name).ToList();
        foreach (var setting in section.GetChildren().Where(s => !known.Contains(s.Key, StringComparer.OrdinalIgnoreCase)))
        {
            yield return Replaced.TryGetValue(setting.Key, out var replacement)
                ? $"{setting.Path} is no longer a setting: {replacement}."
                : $"{setting.Path} is not a setting; {section.Path} knows {string.Join(", ", known)}.";
        }
    }

    private static IEnumerable<string> ValidateSteps(string path, PipelineEnvironmentOptions environment)
    {
        if (environment.ComplianceMode is { } mode && !PipelineEnvironmentOptions.ComplianceModes.Contains(mode))
            yield return $"{path}:ComplianceMode is '{mode}'; expected {string.Join(", ", PipelineEnvironmentOptions.ComplianceModes)}.";

        var thresholds = environment.Thresholds;
        var metrics = string.Join(", ", ClassificationMetrics.Names);
        if (thresholds.Metric is { } metric && !ClassificationMetrics.Names.Contains(metric))
            yield return $"{path}:Thresholds:Metric is '{metric}'; known metrics: {metrics}.";
        if (thresholds.MinimumDelta is { } delta && (!double.IsFinite(delta) || delta < 0))
            yield return $"{path}:Thresholds:MinimumDelta is {delta}; expected a finite number of at least 0.";
        if (thresholds.BaselineThreshold is { } baseline && (!double.IsFinite(baseline) || baseline < 0))
            yield return $"{path}:Thresholds:BaselineThreshold is {baseline}; expected a finite number of at least 0.";
        foreach (var (name, floor) in thresholds.MetricFloors)
        {
            var lowerIsBetter = name == "log_loss";
            if (!ClassificationMetrics.Names.Contains(name))
                yield return $"{path}:Thresholds:MetricFloors names '{name}'; known metrics: {metrics}.";
            else if (!double.IsFinite(floor) || floor < 0 || (!lowerIsBetter && floor > 1))
                yield return $"{path}:Thresholds:MetricFloors:{name} is {floor}; expected a number from 0{(lowerIsBetter ? "" : " to 1")}.";
        }
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

        if (!Enum.IsDefined(model.OnNewData))
            yield return $"{path}:OnNewData must be Ignore, Retrain or RetrainUntilChampion, not {model.OnNewData}.";

        if (model.HasSchedule && !CronExpression.TryParse(model.Schedule, out _, out var scheduleError))
            yield return $"{path}:Schedule: {scheduleError}";
    }
}
