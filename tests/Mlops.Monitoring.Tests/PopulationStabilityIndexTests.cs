using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

// Reference numbers: python3 tests/Mlops.Monitoring.Tests/reference_values.py (textbook formulas, standard library only).
public sealed class When_psi_is_computed
{
    [Fact]
    public void It_is_the_textbook_sum_checked_by_hand()
    {
        // Σ (a − e) ln(a / e) = (0.25 − 0.5) ln(0.5) + (0.75 − 0.5) ln(1.5)
        //                     = 0.25 × 0.693147 + 0.25 × 0.405465 = 0.173287 + 0.101366 = 0.274653
        // (the script: "hand psi [.5,.5] vs [.25,.75]" 0.2746530721670274)
        Assert.Equal(0.2746530721670274, PopulationStabilityIndex.Between([0.5, 0.5], [0.25, 0.75]), 12);
    }

    [Fact]
    public void Counts_and_shares_give_the_same_value()
    {
        Assert.Equal(PopulationStabilityIndex.Between([0.5, 0.5], [0.25, 0.75]), PopulationStabilityIndex.Between([10, 10], [1, 3]), 12);
    }

    [Fact]
    public void A_numeric_window_matches_the_independent_computation_with_an_empty_bin_floored()
    {
        // Window shares over [1, 2, 3]: 0, 3/9, 4/9, 2/9 — the first bin is empty and floored at 1e-4 (script: "numeric psi").
        var reference = Profiles.FourBins();

        var psi = PopulationStabilityIndex.Of(reference, reference.Window(1.0, 1.5, 1.5, 2.0, 2.5, 2.5, 2.5, 3.5, 4.0));

        Assert.Equal(MeasurementStatus.Computed, psi.Status);
        Assert.Equal(0.7613536858981408, psi.Value, 12);
        Assert.Equal(9, psi.SampleSize);
    }

    [Fact]
    public void A_categorical_window_counts_the_unseen_bucket_as_a_bin_with_reference_share_zero()
    {
        // Reference a .5 b .3 c .2 (unseen 0); window a a a b d + a null: shares .6 .2 0 .2 (script: "categorical psi").
        var reference = Profiles.Plans();

        var psi = PopulationStabilityIndex.Of(reference, reference.Window("a", "a", "a", "b", "d", null));

        Assert.Equal(3.097619469815137, psi.Value, 12);
        Assert.Equal(5, psi.SampleSize);
    }

    [Fact]
    public void Identical_shares_give_zero_and_the_floor_keeps_an_empty_bin_finite()
    {
        Assert.Equal(0, PopulationStabilityIndex.Between([0.2, 0.8, 0], [0.2, 0.8, 0]), 15);
        // One bin emptied: (1e-4 − 0.5) ln(1e-4 / 0.5) + (1 − 0.5) ln(1 / 0.5)
        Assert.Equal((1e-4 - 0.5) * Math.Log(1e-4 / 0.5) + 0.5 * Math.Log(2), PopulationStabilityIndex.Between([0.5, 0.5], [0, 1]), 12);
    }

    [Fact]
    public void Distributions_over_different_bins_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PopulationStabilityIndex.Between([0.5, 0.5], [0.2, 0.3, 0.5]));
    }
}
