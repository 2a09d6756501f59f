using System.Globalization;

namespace Mlops.Promotion;

/// <summary>The rule a challenger is judged by: beat the champion by a margin, or reach a baseline when there is no champion.</summary>
public sealed record PromotionPolicy(string Metric, double MinimumDelta, double BaselineThreshold)
{
    public bool LowerIsBetter => PromotionMetrics.LowerIsBetter(Metric);

    public PromotionDecision Decide(int challengerVersion, double challengerScore, int? championVersion, double? championScore, int holdoutRows)
    {
        var challenger = $"Challenger v{challengerVersion} has {Metric} {Format(challengerScore)} on {holdoutRows} holdout rows";
        if (championVersion is not { } champion || championScore is not { } championValue)
        {
            var reaches = Reaches(challengerScore, BaselineThreshold);
            return new PromotionDecision(reaches, BaselineThreshold,
                $"{challenger}; with no champion yet it {(reaches ? "reaches" : "falls short of")} the baseline {Format(BaselineThreshold)}.");
        }

        // Evaluated again after its promotion (a re-sent command): it stays champion, and promoting it again changes nothing.
        if (champion == challengerVersion)
            return new PromotionDecision(true, championValue, $"{challenger}; v{challengerVersion} already is the champion.");

        var required = LowerIsBetter ? championValue - MinimumDelta : championValue + MinimumDelta;
        var beats = Reaches(challengerScore, required);
        return new PromotionDecision(beats, required,
            $"{challenger} against champion v{champion}'s {Format(championValue)} on the same rows; it {(beats ? "reaches" : "falls short of")} " +
            $"the required {Format(required)} (champion {(LowerIsBetter ? "-" : "+")} {Format(MinimumDelta)}).");
    }

    private bool Reaches(double score, double required) => LowerIsBetter ? score <= required : score >= required;

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
