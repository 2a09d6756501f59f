namespace Mlops.Bench;

/// <summary>
/// One benchmark against its baseline, measured in the same run: <see cref="Ratio"/> is ours ÷ the baseline's
/// <see cref="Unit"/> (higher is better), and <see cref="Goal"/> the ratio issue 12 asks for.
/// </summary>
public sealed record BenchResult
{
    public required string Id { get; init; }
    public required string Measure { get; init; }
    public required string Unit { get; init; }
    public required double Ours { get; init; }
    public required double Baseline { get; init; }
    public required double Goal { get; init; }
    public double Ratio => Baseline > 0 ? Ours / Baseline : double.NaN;

    /// <summary>An absolute goal (no baseline to divide by), as the issue states it; null for a ratio goal.</summary>
    public string? GoalText { get; init; }

    /// <summary>Whether an absolute goal was met; null for a ratio goal, which <see cref="Met"/> compares itself.</summary>
    public bool? MetAbsolute { get; init; }

    /// <summary>Null when there is no goal to meet.</summary>
    public bool? Met => MetAbsolute ?? (double.IsNaN(Goal) ? null : Ratio >= Goal);

    /// <summary>Further figures (peak memory, per-value costs, before/after), name → value.</summary>
    public IReadOnlyDictionary<string, double> Details { get; init; } = new Dictionary<string, double>();

    /// <summary>What limits the measure, as far as this run shows.</summary>
    public string Note { get; init; } = "";
}
