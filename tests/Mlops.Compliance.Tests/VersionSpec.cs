namespace Mlops.Compliance.Tests;

/// <summary>What a registered version looks like; the defaults meet every default rule.</summary>
public sealed record VersionSpec
{
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string> { ["pii"] = "none", ["gdpr"] = "reviewed" };
    public string? VersionDescription { get; init; }
    public string? ModelDescription { get; init; } = "Predicts which subscribers cancel next month.";
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double> { ["auc"] = 0.82, ["log_loss"] = 0.41 };
    public bool RawBatchRegistered { get; init; } = true;
    public bool TrainingRunTracked { get; init; } = true;
    public string CodeVersion { get; init; } = "3f2c1ab";
}
