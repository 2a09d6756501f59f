using Mlops.Catalog;

namespace Mlops.Monitoring.Windows;

/// <summary>
/// The raw finite values of a small window — per numeric feature and of the predictions — for exact KS and Wasserstein.
/// Kept (monitoring.windows.raw_values) only while the window has at most <see cref="MonitoringOptions.RawValueLimit"/> rows.
/// </summary>
public sealed class WindowSample
{
    public required Dictionary<string, List<double>> Numeric { get; init; }
    public required List<double> Prediction { get; init; }

    public static WindowSample For(MonitoredVersion version) => new()
    {
        Numeric = version.NumericFeatures.ToDictionary(f => f.Name, _ => new List<double>(), StringComparer.Ordinal),
        Prediction = [],
    };

    public void Append(WindowSample other)
    {
        foreach (var (name, values) in other.Numeric)
        {
            if (Numeric.TryGetValue(name, out var mine))
                mine.AddRange(values);
            else
                Numeric[name] = [.. values];
        }
        Prediction.AddRange(other.Prediction);
    }

    public string ToJson() => CatalogJson.Serialize(this);

    public static WindowSample FromJson(string json) => CatalogJson.Deserialize<WindowSample>(json);
}
