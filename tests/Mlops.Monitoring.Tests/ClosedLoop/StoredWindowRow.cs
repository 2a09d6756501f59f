using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>A row of monitoring.windows as a test reads it.</summary>
public sealed record StoredWindowRow
{
    public int Version { get; init; }
    public DateTime WindowStart { get; init; }
    public long RowCount { get; init; }
    public string Histograms { get; init; } = "";
    public string? RawValues { get; init; }
    public int HistogramBytes { get; init; }

    public WindowHistograms State => WindowHistograms.FromJson(Histograms);

    public WindowSample? Sample => RawValues is null ? null : WindowSample.FromJson(RawValues);
}
