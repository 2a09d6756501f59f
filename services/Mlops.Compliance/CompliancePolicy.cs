namespace Mlops.Compliance;

/// <summary>The rules that apply to one model: its mode, the tags it must carry and its metric floors.</summary>
public sealed record CompliancePolicy(string Mode, IReadOnlyList<string> RequiredTags, IReadOnlyDictionary<string, double> MetricFloors);
