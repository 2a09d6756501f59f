namespace Mlops.Monitoring.Windows;

/// <summary>A window's state as stored: its row count, histograms and, while it is small, its raw values.</summary>
public sealed record StoredWindow(WindowKey Key, long RowCount, WindowHistograms Histograms, WindowSample? Sample);
