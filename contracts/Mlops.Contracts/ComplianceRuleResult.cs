namespace Mlops.Contracts;

/// <summary>One governance rule applied to one model version.</summary>
public record ComplianceRuleResult
{
    /// <summary>The rule, e.g. required_tag:pii, description, signature, lineage, metric_floor:auc.</summary>
    public string Rule { get; init; } = "";

    public bool Passed { get; init; }

    /// <summary>What was found, e.g. "auc 0.61 is below the floor 0.70".</summary>
    public string Detail { get; init; } = "";
}
