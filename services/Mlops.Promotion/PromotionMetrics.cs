namespace Mlops.Promotion;

/// <summary>The metrics a promotion can be decided on, and which way each one improves.</summary>
public static class PromotionMetrics
{
    public const string Auc = "auc";
    public const string LogLoss = "log_loss";

    public static readonly IReadOnlySet<string> Known = new HashSet<string> { Auc, "accuracy", "f1", LogLoss, "precision", "recall" };

    public static bool LowerIsBetter(string metric) => metric == LogLoss;
}
