namespace Mlops.Api.Responses;

/// <summary>A sustained breach (a row of monitoring.alerts); open while ClosedAt is null.</summary>
public sealed record MonitoringAlert(Guid Id, int Version, string Kind, string SubjectKind, string Subject, string Metric, double Value, double Threshold,
    DateTime WindowStart, DateTime WindowEnd, int WindowsBreached, int WindowsConsidered, DateTime OpenedAt, DateTime? ClosedAt);
