using Mlops.Catalog.Monitoring;
using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

public sealed class When_a_reference_is_prepared_from_a_profile
{
    private static readonly NumericReference Reference =
        NumericReference.From(ProfileBuilder.Numeric("x", [.. Profiles.Normal(seed: 5, mean: 0, deviation: 1).Take(10_000)]));

    [Fact]
    public void The_fine_bins_are_the_reference_bins_refined_by_up_to_a_hundred_sample_quantiles_and_the_training_range()
    {
        Assert.Equal(9, Reference.Edges.Count);
        Assert.All(Reference.Edges, edge => Assert.Contains(edge, Reference.FineEdges));
        Assert.InRange(Reference.FineEdges.Count, 99 + 2, 99 + 9 + 2);
        Assert.Equal((Reference.Min!.Value, Math.BitIncrement(Reference.Max!.Value)), (Reference.FineEdges[0], Reference.FineEdges[^1]));
        Assert.Equal((0.0, 0.0), (Reference.FineProportions[0], Reference.FineProportions[^1]));
        Assert.Equal(Reference.FineEdges.Order(), Reference.FineEdges);
        Assert.Equal(1, Reference.FineProportions.Sum(), 12);
        Assert.Equal(1000, Reference.FineSize);
    }

    [Fact]
    public void Fine_quantile_bins_hold_equal_shares_of_the_sample()
    {
        var edges = QuantileBins.EdgesOf(Reference.Sample, 20);
        var histogram = new NumericHistogram(edges);
        histogram.AddRange(Reference.Sample);

        Assert.Equal(19, edges.Count);
        Assert.All(histogram.Counts, count => Assert.Equal(50, count));
    }

    [Fact]
    public void A_discrete_sample_gets_one_bin_per_distinct_value()
    {
        Assert.Equal([1.0, 2.0], QuantileBins.EdgesOf([0, 0, 0, 0, 1, 1, 1, 2, 2, 2], 10));
    }

    [Fact]
    public void A_window_over_the_fine_bins_gives_the_psi_of_a_window_over_the_reference_bins()
    {
        var values = Profiles.Normal(seed: 6, mean: 0.4, deviation: 1.3).Take(10_000).ToArray();
        var coarse = new NumericHistogram(Reference.Edges);
        coarse.AddRange(values);

        Assert.Equal(PopulationStabilityIndex.Of(Reference, coarse).Value, PopulationStabilityIndex.Of(Reference, Reference.Window(values)).Value, 12);
    }

    [Fact]
    public void A_window_binned_for_another_reference_is_refused()
    {
        var other = new NumericHistogram([0.0, 1.0]);
        other.Add(0.5);

        var error = Assert.Throws<ArgumentException>(() => PopulationStabilityIndex.Of(Reference, other));

        Assert.Contains("not binned for this reference", error.Message);
    }

    [Fact]
    public void A_categorical_profile_is_not_a_numeric_reference()
    {
        Assert.Throws<ArgumentException>(() => NumericReference.From(ProfileBuilder.Categorical("plan", ["a"])));
    }
}
