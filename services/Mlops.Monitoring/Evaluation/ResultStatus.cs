namespace Mlops.Monitoring.Evaluation;

/// <summary>The verdict stored with every metric of a window.</summary>
public static class ResultStatus
{
    /// <summary>Judged: above the threshold.</summary>
    public const string Breached = "breached";

    /// <summary>Judged: within the threshold.</summary>
    public const string Ok = "ok";

    /// <summary>Computed and stored, but the policy sets no threshold for it.</summary>
    public const string Measured = "measured";

    /// <summary>Computed on fewer values than the policy's minimum: not judged, so a tiny window neither raises nor clears an alert.</summary>
    public const string TooFewRows = "too_few_rows";

    /// <summary>The data does not allow the metric; the reason says why.</summary>
    public const string NotComputable = "not_computable";
}
