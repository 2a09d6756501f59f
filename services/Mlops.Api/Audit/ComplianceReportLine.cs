namespace Mlops.Api.Audit;

public sealed record ComplianceReportLine(string Action, string Outcome, int Count, int Principals);
