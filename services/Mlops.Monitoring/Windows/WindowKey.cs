namespace Mlops.Monitoring.Windows;

/// <summary>A stored window: model, version and window, with the revision it was read at.</summary>
public sealed record WindowKey(string ModelName, int Version, TimeWindow Window, long Revision);
