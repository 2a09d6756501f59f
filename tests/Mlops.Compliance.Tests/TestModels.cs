namespace Mlops.Compliance.Tests;

/// <summary>The models the test hosts are configured for, one per mode or override.</summary>
public static class TestModels
{
    public const string Enforced = "dev.ml.churn";
    public const string DryRun = "dev.ml.churn_trial";
    public const string Disabled = "dev.ml.churn_legacy";
    public const string Strict = "dev.ml.churn_strict";

    public static IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [$"Compliance:Models:{DryRun}:Mode"] = "dry_run",
        [$"Compliance:Models:{Disabled}:Mode"] = "disabled",
        [$"Compliance:Models:{Strict}:MetricFloors:auc"] = "0.9",
        [$"Compliance:Models:{Strict}:RequiredTags:0"] = "owner",
    };
}
