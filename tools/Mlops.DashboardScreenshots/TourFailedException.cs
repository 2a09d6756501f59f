namespace Mlops.DashboardScreenshots;

/// <summary>The dashboard (or the API behind it) does not show what the demo should have left: the demo fails with this reason.</summary>
public sealed class TourFailedException(string message, Exception? inner = null) : Exception(message, inner);
