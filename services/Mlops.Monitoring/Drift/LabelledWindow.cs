namespace Mlops.Monitoring.Drift;

/// <summary>
/// What accuracy and AUC need of a window's labelled predictions, and no more: counts and the rank sum of the positives
/// (scores ranked ascending from 1, tied scores sharing their average rank). A database computes these over millions of
/// rows with one sort, so the rows never have to reach the monitor.
/// </summary>
/// <param name="Count">Labelled rows with a score.</param>
/// <param name="Positives">Rows labelled 1.</param>
/// <param name="Correct">Rows whose prediction at the decision threshold equals their label.</param>
/// <param name="PositiveRankSum">The sum of the positives' average ranks; 0 without positives.</param>
public sealed record LabelledWindow(long Count, long Positives, long Correct, double PositiveRankSum);
