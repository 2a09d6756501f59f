namespace Mlops.Api.Responses;

/// <summary>A model's monitoring over [From, To): every metric per window (oldest first) and its alerts (newest first).</summary>
public sealed record MonitoringReport(string Model, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<MonitoringPoint> Points,
    IReadOnlyList<MonitoringAlert> Alerts);
