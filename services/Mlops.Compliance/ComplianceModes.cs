namespace Mlops.Compliance;

/// <summary>How a model's compliance rules act: not at all, recorded only, or blocking.</summary>
public static class ComplianceModes
{
    /// <summary>No rule runs; every version passes.</summary>
    public const string Disabled = "disabled";

    /// <summary>Rules run and their results are recorded, but a failure never blocks: how a new rule is tried out.</summary>
    public const string DryRun = "dry_run";

    /// <summary>A failed rule archives the version and stops the pipeline.</summary>
    public const string Enforced = "enforced";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Disabled, DryRun, Enforced };
}
