namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>One row of serving.inference_log as the tests write it: the churn model's three inputs, any of them missing.</summary>
public sealed record LoggedPrediction(
    Guid RequestId,
    int RowIndex,
    int Version,
    bool Shadow,
    double? Tenure,
    double? MonthlyCharges,
    string? Plan,
    double Prediction,
    double LatencyMilliseconds,
    DateTime ServedAt);
