using System.Globalization;
using Mlops.Catalog.Features;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Contracts;

namespace Mlops.Compliance;

/// <summary>
/// The governance rules of a model version: required tags, a description, a usable signature, lineage that can be
/// followed back to raw batches, and metric floors. Every rule runs, so a failed check lists everything to fix at once.
/// </summary>
public sealed class ComplianceRules(ModelRegistry registry, TrackingStore tracking, FeatureStore features, RawBatches rawBatches)
{
    public const string ValidModelName = "model_name";
    public const string VersionExists = "version_exists";
    public const string ValidPolicy = "valid_policy";
    public const string Description = "description";
    public const string Signature = "signature";
    public const string TrainingRun = "lineage:training_run";
    public const string FeatureVersion = "lineage:feature_version";
    public const string RawBatches = "lineage:raw_batches";
    public const string CodeVersion = "lineage:code_version";

    public static string RequiredTag(string tag) => $"required_tag:{tag}";

    public static string MetricFloor(string metric) => $"metric_floor:{metric}";

    public async Task<IReadOnlyList<ComplianceRuleResult>> EvaluateAsync(ModelVersion version, CompliancePolicy policy, CancellationToken cancellationToken)
    {
        var results = new List<ComplianceRuleResult>();
        results.AddRange(policy.RequiredTags.Select(tag => CheckTag(version, tag)));
        results.Add(await CheckDescriptionAsync(version, cancellationToken));
        results.Add(CheckSignature(version));
        results.Add(await CheckTrainingRunAsync(version, cancellationToken));
        results.Add(await CheckFeatureVersionAsync(version, cancellationToken));
        results.Add(await CheckRawBatchesAsync(version, cancellationToken));
        results.Add(CheckCodeVersion(version));
        results.AddRange(policy.MetricFloors.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => CheckMetric(version, f.Key, f.Value)));
        return results;
    }

    private static ComplianceRuleResult CheckTag(ModelVersion version, string tag) =>
        version.Tags.TryGetValue(tag, out var value) && !string.IsNullOrWhiteSpace(value)
            ? Pass(RequiredTag(tag), $"tag {tag} is '{value}'")
            : Fail(RequiredTag(tag), $"the version has no tag {tag}");

    private async Task<ComplianceRuleResult> CheckDescriptionAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(version.Description))
            return Pass(Description, "the version has a description");
        var model = await registry.FindModelAsync(version.ModelName, cancellationToken);
        return string.IsNullOrWhiteSpace(model?.Description)
            ? Fail(Description, "neither the version nor the registered model has a description")
            : Pass(Description, "the registered model has a description");
    }

    private static ComplianceRuleResult CheckSignature(ModelVersion version) =>
        version.Signature.Inputs.Count > 0
            ? Pass(Signature, $"{version.Signature.Inputs.Count} inputs: {string.Join(", ", version.Signature.Inputs.Select(i => i.Name))}")
            : Fail(Signature, "the signature lists no inputs");

    private async Task<ComplianceRuleResult> CheckTrainingRunAsync(ModelVersion version, CancellationToken cancellationToken) =>
        await tracking.FindAsync(version.TrainingRunId, cancellationToken) is { } run
            ? Pass(TrainingRun, $"training run {run.RunId} ({run.Status})")
            : Fail(TrainingRun, $"training run {version.TrainingRunId} is not in tracking");

    private async Task<ComplianceRuleResult> CheckFeatureVersionAsync(ModelVersion version, CancellationToken cancellationToken) =>
        await features.FindVersionAsync(version.FeatureTable, version.FeatureVersion, cancellationToken) is not null
            ? Pass(FeatureVersion, $"feature table {version.FeatureTable} version {version.FeatureVersion}")
            : Fail(FeatureVersion, $"feature table {version.FeatureTable} has no version {version.FeatureVersion}");

    private async Task<ComplianceRuleResult> CheckRawBatchesAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (version.RawBatchIds.Count == 0)
            return Fail(RawBatches, "the version names no raw batches");

        var missing = new List<Guid>();
        foreach (var batchId in version.RawBatchIds)
        {
            if (await rawBatches.FindAsync(batchId, cancellationToken) is null)
                missing.Add(batchId);
        }
        return missing.Count == 0
            ? Pass(RawBatches, $"{version.RawBatchIds.Count} raw batches, all registered")
            : Fail(RawBatches, $"raw batches not in raw.batches: {string.Join(", ", missing)}");
    }

    private static ComplianceRuleResult CheckCodeVersion(ModelVersion version) =>
        string.IsNullOrWhiteSpace(version.CodeVersion)
            ? Fail(CodeVersion, "the version names no code version")
            : Pass(CodeVersion, $"code version {version.CodeVersion}");

    private static ComplianceRuleResult CheckMetric(ModelVersion version, string metric, double bound)
    {
        var rule = MetricFloor(metric);
        if (!version.Metrics.TryGetValue(metric, out var value) || double.IsNaN(value))
            return Fail(rule, $"the version records no {metric}");

        var lowerIsBetter = ComplianceMetrics.LowerIsBetter(metric);
        var met = lowerIsBetter ? value <= bound : value >= bound;
        var limit = lowerIsBetter ? "ceiling" : "floor";
        return met
            ? Pass(rule, $"{metric} {Format(value)} meets the {limit} {Format(bound)}")
            : Fail(rule, $"{metric} {Format(value)} is {(lowerIsBetter ? "above" : "below")} the {limit} {Format(bound)}");
    }

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static ComplianceRuleResult Pass(string rule, string detail) => new() { Rule = rule, Passed = true, Detail = detail };

    private static ComplianceRuleResult Fail(string rule, string detail) => new() { Rule = rule, Passed = false, Detail = detail };
}
