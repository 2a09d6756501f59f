using System.Globalization;
using Mlops.Contracts;

namespace Mlops.Compliance;

/// <summary>The verdict of one check: the mode it ran in and every rule's result, and how it is recorded on the version.</summary>
public sealed record ComplianceOutcome(string Mode, IReadOnlyList<ComplianceRuleResult> Results)
{
    public const string StatusTag = "compliance.status";
    public const string ModeTag = "compliance.mode";
    public const string CheckedAtTag = "compliance.checked_at";
    public const string RuleTagPrefix = "compliance.rule.";

    public IReadOnlyList<ComplianceRuleResult> Failures => Results.Where(r => !r.Passed).ToList();

    /// <summary>Only an enforced mode blocks, and only on a failure.</summary>
    public bool Blocks => Mode == ComplianceModes.Enforced && Failures.Count > 0;

    /// <summary>passed, failed, dry_run_failed or disabled.</summary>
    public string Status => Mode switch
    {
        ComplianceModes.Disabled => "disabled",
        _ when Failures.Count == 0 => "passed",
        ComplianceModes.DryRun => "dry_run_failed",
        _ => "failed",
    };

    /// <summary>The tags that record this outcome, without the time it was checked.</summary>
    public IReadOnlyDictionary<string, string> Tags()
    {
        var tags = new Dictionary<string, string> { [StatusTag] = Status, [ModeTag] = Mode };
        foreach (var result in Results)
            tags[RuleTagPrefix + result.Rule] = result.Passed ? "pass" : $"fail: {result.Detail}";
        return tags;
    }

    /// <summary>Whether the version already carries exactly this outcome (a check sent again).</summary>
    public bool IsRecordedIn(IReadOnlyDictionary<string, string> versionTags) =>
        versionTags.ContainsKey(CheckedAtTag) && Tags().All(t => versionTags.TryGetValue(t.Key, out var value) && value == t.Value);

    public IReadOnlyDictionary<string, string> TagsCheckedAt(DateTimeOffset checkedAt) =>
        new Dictionary<string, string>(Tags()) { [CheckedAtTag] = checkedAt.ToString("O", CultureInfo.InvariantCulture) };
}
