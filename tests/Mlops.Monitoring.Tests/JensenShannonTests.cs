using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

// Reference numbers: python3 tests/Mlops.Monitoring.Tests/reference_values.py.
public sealed class When_js_distance_and_total_variation_are_computed
{
    [Fact]
    public void Js_distance_is_the_textbook_value_checked_by_hand()
    {
        // P = (.5, .5), Q = (1, 0), M = (.75, .25)
        // KL(P‖M) = .5 log2(.5/.75) + .5 log2(.5/.25) = .5 × (−0.584963) + .5 × 1 = 0.207519
        // KL(Q‖M) = 1 × log2(1/.75) = 0.415037
        // JSD = (0.207519 + 0.415037) / 2 = 0.311278; distance = √0.311278 = 0.557923
        // (the script: "hand js [.5,.5] vs [1,0]" 0.5579230452841438)
        Assert.Equal(0.5579230452841438, JensenShannon.Distance([0.5, 0.5], [1, 0]), 12);
    }

    [Fact]
    public void Js_distance_is_zero_for_the_same_and_one_for_disjoint_distributions()
    {
        Assert.Equal(0, JensenShannon.Distance([0.3, 0.7], [3, 7]), 12);
        Assert.Equal(1, JensenShannon.Distance([1, 0], [0, 1]), 12);
    }

    [Fact]
    public void A_numeric_window_matches_the_independent_computation()
    {
        var reference = Profiles.FourBins();
        var window = reference.Window(1.0, 1.5, 1.5, 2.0, 2.5, 2.5, 2.5, 3.5, 4.0);

        Assert.Equal(0.25056694657217826, JensenShannon.Of(reference, window).Value, 12);
        Assert.Equal(0.16666666666666666, TotalVariation.Of(reference, window).Value, 12);
    }

    [Fact]
    public void A_categorical_window_with_an_unseen_category_matches_the_independent_computation()
    {
        var reference = Profiles.Plans();
        var window = reference.Window("a", "a", "a", "b", "d", null);

        Assert.Equal(0.4588526289278582, JensenShannon.Of(reference, window).Value, 12);
        Assert.Equal(0.3, TotalVariation.Of(reference, window).Value, 12);
    }
}
