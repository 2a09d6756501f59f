namespace Mlops.Compliance;

/// <summary>The validation metrics a floor can name, and which way each one improves.</summary>
public static class ComplianceMetrics
{
    public const string Auc = "auc";
    public const string LogLoss = "log_loss";

    public static readonly IReadOnlySet<string> Known = new HashSet<string> { Auc, "accuracy", "f1", LogLoss, "precision", "recall" };

    public static bool LowerIsBetter(string metric) => metric == LogLoss;
}
