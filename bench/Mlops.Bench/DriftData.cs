using System.Runtime.InteropServices;
using System.Text.Json;
using Mlops.Catalog.Monitoring;
using Mlops.Monitoring.Drift;

namespace Mlops.Bench;

/// <summary>
/// P4's data, generated from fixed seeds: per feature a reference (training) profile and a logged window with nulls,
/// infinities and drift on some features. Written to files that the numpy/scipy baseline reads, so both count the same values.
/// </summary>
public sealed class DriftData
{
    private const int ReferenceRows = 50_000;

    private DriftData(int rows, FeatureProfile[] profiles, NumericReference[] references, double[] window)
    {
        Rows = rows;
        Profiles = profiles;
        References = references;
        Window = window;
    }

    public int Rows { get; }
    public int Features => References.Count;
    public IReadOnlyList<NumericReference> References { get; }

    /// <summary>The training profiles the references come from: what a reference profile stores.</summary>
    public IReadOnlyList<FeatureProfile> Profiles { get; }

    /// <summary>Column-major: feature f is Window[f·Rows .. (f+1)·Rows).</summary>
    public double[] Window { get; }

    public ReadOnlySpan<double> Column(int feature) => Window.AsSpan(feature * Rows, Rows);

    public static DriftData Generate(int rows, int features)
    {
        var profiles = new FeatureProfile[features];
        var references = new NumericReference[features];
        var window = new double[(long)rows * features];
        for (var f = 0; f < features; f++)
        {
            var referenceValues = new double[ReferenceRows];
            Fill(referenceValues, f, new Random(1_000 + f), drifted: false);
            profiles[f] = ProfileBuilder.Numeric($"f{f}", referenceValues);
            references[f] = NumericReference.From(profiles[f]);
            Fill(window.AsSpan(f * rows, rows), f, new Random(2_000 + f), drifted: f % 5 == 0);
        }
        return new DriftData(rows, profiles, references, window);
    }

    /// <summary>window.f64 (little-endian doubles, column-major) and reference.json (what the baseline needs of each reference).</summary>
    public void WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        using (var stream = File.Create(Path.Combine(directory, "window.f64")))
            stream.Write(MemoryMarshal.AsBytes(Window.AsSpan()));

        var references = References.Select(r => new
        {
            fineEdges = r.FineEdges, fineProportions = r.FineProportions, fineSize = r.FineSize,
            edges = r.Edges, proportions = r.Proportions,
        });
        File.WriteAllText(Path.Combine(directory, "reference.json"), JsonSerializer.Serialize(new { rows = Rows, features = Features, references }));
    }

    private static void Fill(Span<double> values, int feature, Random random, bool drifted)
    {
        var shift = drifted ? 0.3 : 0;
        for (var i = 0; i < values.Length; i++)
        {
            var u = random.NextDouble();
            if (u < 0.02)
            {
                values[i] = double.NaN;
                continue;
            }
            if (u < 0.0205)
            {
                values[i] = u < 0.02025 ? double.PositiveInfinity : double.NegativeInfinity;
                continue;
            }
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = (feature % 4) switch
            {
                0 => feature * 0.1 + normal + shift,
                1 => Math.Exp(0.8 * normal + shift),
                2 => 10 * random.NextDouble() + 3 * shift,
                _ => -Math.Log(1 - random.NextDouble()) * (1 + shift),
            };
        }
    }
}
