using Mlops.Monitoring.Drift;

namespace Mlops.Monitoring.Windows;

/// <summary>
/// What one log batch adds to one window of one version, built row by row as the batch is read: counts and histograms
/// (O(bins)) and, while the rows fit under the raw-value limit, the raw values. Merged into the stored window afterwards.
/// </summary>
public sealed class WindowBatch
{
    private readonly NumericHistogram[] numeric;
    private readonly CategoricalHistogram[] categorical;
    private readonly int rawValueLimit;
    private List<double>[]? raw;

    public WindowBatch(MonitoredVersion version, TimeWindow window, int rawValueLimit)
    {
        Version = version;
        Window = window;
        this.rawValueLimit = rawValueLimit;
        Histograms = version.NewHistograms();
        numeric = [.. version.NumericFeatures.Select(f => Histograms.Numeric[f.Name])];
        categorical = [.. version.CategoricalFeatures.Select(f => Histograms.Categorical[f.Name])];
        if (rawValueLimit > 0)
        {
            Sample = WindowSample.For(version);
            raw = [.. version.NumericFeatures.Select(f => Sample.Numeric[f.Name])];
        }
    }

    public MonitoredVersion Version { get; }
    public TimeWindow Window { get; }
    public WindowHistograms Histograms { get; }

    /// <summary>The raw values; null once the batch alone has more rows than the limit.</summary>
    public WindowSample? Sample { get; private set; }

    public long Rows { get; private set; }
    public DateTime FirstServedAt { get; private set; } = DateTime.MaxValue;
    public DateTime LastServedAt { get; private set; } = DateTime.MinValue;

    /// <summary>Starts a row; its feature values follow through <see cref="AddNumeric"/> and <see cref="AddCategorical"/>.</summary>
    public void AddRow(DateTime servedAt, double prediction)
    {
        Rows++;
        if (servedAt < FirstServedAt)
            FirstServedAt = servedAt;
        if (servedAt > LastServedAt)
            LastServedAt = servedAt;
        if (Rows > rawValueLimit)
        {
            Sample = null;
            raw = null;
        }

        Histograms.Prediction.Add(prediction);
        if (Sample is not null && double.IsFinite(prediction))
            Sample.Prediction.Add(prediction);
    }

    /// <summary>The value of numeric feature <paramref name="feature"/> (index in <see cref="MonitoredVersion.NumericFeatures"/>); NaN when missing.</summary>
    public void AddNumeric(int feature, double value)
    {
        numeric[feature].Add(value);
        if (raw is not null && double.IsFinite(value))
            raw[feature].Add(value);
    }

    /// <summary>The value of categorical feature <paramref name="feature"/> (index in <see cref="MonitoredVersion.CategoricalFeatures"/>); null when missing.</summary>
    public void AddCategorical(int feature, string? value) => categorical[feature].Add(value);
}
