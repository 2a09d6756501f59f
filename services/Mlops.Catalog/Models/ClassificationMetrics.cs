namespace Mlops.Catalog.Models;

/// <summary>Binary classification quality of probabilities against 0/1 labels (rows with a missing label are skipped).</summary>
public sealed record ClassificationMetrics(double Auc, double Accuracy, double F1, double LogLoss, double Precision, double Recall, int Count)
{
    public const string AucName = "auc";

    /// <summary>Every metric's name, as <see cref="ToDictionary"/> keys them: what a threshold or floor may name.</summary>
    public static readonly IReadOnlyList<string> Names = [AucName, "accuracy", "f1", "log_loss", "precision", "recall"];

    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>
    {
        ["auc"] = Auc, ["accuracy"] = Accuracy, ["f1"] = F1, ["log_loss"] = LogLoss, ["precision"] = Precision, ["recall"] = Recall,
    };

    /// <summary>The named metric; for log_loss lower is better, so callers compare its negation.</summary>
    public double Get(string metric) => ToDictionary().TryGetValue(metric, out var value)
        ? value
        : throw new ArgumentException($"Unknown metric '{metric}'; known: auc, accuracy, f1, log_loss, precision, recall.");

    public static ClassificationMetrics Compute(IReadOnlyList<double> labels, IReadOnlyList<double> probabilities, double threshold = 0.5)
    {
        if (labels.Count != probabilities.Count)
            throw new ArgumentException($"{labels.Count} labels for {probabilities.Count} scores.");

        var rows = Enumerable.Range(0, labels.Count).Where(i => !double.IsNaN(labels[i]) && !double.IsNaN(probabilities[i])).ToArray();
        if (rows.Length == 0)
            return new ClassificationMetrics(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);

        int tp = 0, fp = 0, tn = 0, fn = 0;
        var logLoss = 0.0;
        foreach (var i in rows)
        {
            var positive = labels[i] >= 0.5;
            var predicted = probabilities[i] >= threshold;
            if (positive && predicted) tp++;
            else if (!positive && predicted) fp++;
            else if (positive) fn++;
            else tn++;
            var p = Math.Clamp(probabilities[i], 1e-15, 1 - 1e-15);
            logLoss -= positive ? Math.Log(p) : Math.Log(1 - p);
        }

        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new ClassificationMetrics(AreaUnderRoc(rows, labels, probabilities), (double)(tp + tn) / rows.Length, f1, logLoss / rows.Length, precision, recall,
            rows.Length);
    }

    /// <summary>Area under the ROC curve as the Mann–Whitney statistic, tied scores counting one half.</summary>
    private static double AreaUnderRoc(int[] rows, IReadOnlyList<double> labels, IReadOnlyList<double> scores)
    {
        var ordered = rows.OrderBy(i => scores[i]).ToArray();
        double positives = 0, negatives = 0, rankSum = 0;
        var position = 0;
        while (position < ordered.Length)
        {
            var end = position;
            while (end + 1 < ordered.Length && scores[ordered[end + 1]] == scores[ordered[position]])
                end++;
            var averageRank = (position + end) / 2.0 + 1;
            for (var k = position; k <= end; k++)
            {
                if (labels[ordered[k]] >= 0.5)
                {
                    positives++;
                    rankSum += averageRank;
                }
                else
                {
                    negatives++;
                }
            }
            position = end + 1;
        }

        return positives == 0 || negatives == 0 ? double.NaN : (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
