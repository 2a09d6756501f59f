using Mlops.Catalog;
using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

public sealed class When_values_stream_into_a_numeric_histogram
{
    [Fact]
    public void A_value_on_an_edge_counts_in_the_bin_above_it()
    {
        var histogram = new NumericHistogram([1.0, 2.0, 3.0]);

        histogram.AddRange([0.99, 1.0, 1.5, 2.0, 3.0, 3.0, 1e9]);

        Assert.Equal([1L, 2, 1, 3], histogram.Counts);
    }

    [Fact]
    public void Nulls_and_infinities_are_counted_apart_from_the_bins()
    {
        var histogram = new NumericHistogram([1.0]);

        histogram.AddRange([double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.PositiveInfinity, 0.5, 7]);
        histogram.Add((double?)null);

        Assert.Equal((2L, 1L, 2L, 2L, 7L), (histogram.NullCount, histogram.NegativeInfinityCount, histogram.PositiveInfinityCount, histogram.FiniteCount, histogram.Count));
        Assert.Equal([1L, 1], histogram.Counts);
        Assert.Equal((0.5, 7.0), (histogram.Min!.Value, histogram.Max!.Value));
    }

    [Fact]
    public void Merged_windows_count_what_one_window_over_all_the_values_counts()
    {
        double[] first = [0.2, 1.7, double.NaN, 2.5], second = [-3, 1.1, double.PositiveInfinity, 9];
        var merged = new NumericHistogram([1.0, 2.0]);
        merged.AddRange(first);
        var other = new NumericHistogram([1.0, 2.0]);
        other.AddRange(second);
        var whole = new NumericHistogram([1.0, 2.0]);
        whole.AddRange([.. first, .. second]);

        merged.Merge(other);

        Assert.Equal(whole.ToJson(), merged.ToJson());
        Assert.Equal((-3.0, 9.0), (merged.Min!.Value, merged.Max!.Value));
    }

    [Fact]
    public void Windows_binned_for_different_references_do_not_merge()
    {
        var histogram = new NumericHistogram([1.0, 2.0]);

        var error = Assert.Throws<ArgumentException>(() => histogram.Merge(new NumericHistogram([1.0, 2.5])));

        Assert.Contains("same edges", error.Message);
    }

    [Fact]
    public void Json_round_trips_every_count_and_the_exact_edges()
    {
        var histogram = new NumericHistogram([0.1, 1.0 / 3, 2.718281828459045]);
        histogram.AddRange([0.05, 0.2, 0.2, 3, double.NaN, double.NegativeInfinity]);

        var json = histogram.ToJson();
        var restored = NumericHistogram.FromJson(json);

        Assert.Equal(histogram.Edges, restored.Edges);
        Assert.Equal(histogram.Counts, restored.Counts);
        Assert.Equal((1L, 1L, 0L, 4L), (restored.NullCount, restored.NegativeInfinityCount, restored.PositiveInfinityCount, restored.FiniteCount));
        Assert.Equal((0.05, 3.0), (restored.Min!.Value, restored.Max!.Value));
        Assert.Equal(json, restored.ToJson());
    }

    [Fact]
    public void Json_with_counts_that_do_not_fit_the_edges_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => NumericHistogram.FromJson("""{"edges":[1,2],"counts":[1,2],"sums":[1.5,5],"min":0,"max":3}"""));

        Assert.Contains("3 counts", error.Message);
    }

    [Fact]
    public void Edges_that_do_not_increase_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new NumericHistogram([1.0, 1.0]));

        Assert.Contains("strictly increasing", error.Message);
    }

    [Fact]
    public void A_coarsened_window_counts_what_the_reference_bins_would_have_counted()
    {
        var fine = new NumericHistogram([0.5, 1.0, 1.5, 2.0, 2.5]);
        var coarse = new NumericHistogram([1.0, 2.0]);
        double[] values = [0.1, 0.7, 1.0, 1.2, 1.9, 2.0, 2.6, 8, double.NaN];
        fine.AddRange(values);
        coarse.AddRange(values);

        Assert.Equal(coarse.ToJson(), fine.Coarsen([1.0, 2.0]).ToJson());
    }
}

public sealed class When_values_stream_into_a_categorical_histogram
{
    [Fact]
    public void Known_categories_unseen_categories_and_nulls_are_counted_apart()
    {
        var histogram = new CategoricalHistogram(["a", "b"]);

        histogram.AddRange(["a", "b", "a", "A", "z", null, ""]);

        Assert.Equal([2L, 1], histogram.Counts);
        Assert.Equal((3L, 1L, 6L, 7L), (histogram.UnseenCount, histogram.NullCount, histogram.ValueCount, histogram.Count));
    }

    [Fact]
    public void Merged_windows_and_json_keep_every_count()
    {
        var first = new CategoricalHistogram(["a", "b"]);
        first.AddRange(["a", "new", null]);
        var second = new CategoricalHistogram(["a", "b"]);
        second.AddRange(["b", "b", "newer"]);

        first.Merge(CategoricalHistogram.FromJson(second.ToJson()));

        Assert.Equal([1L, 2], first.Counts);
        Assert.Equal((2L, 1L), (first.UnseenCount, first.NullCount));
    }

    [Fact]
    public void Json_without_counts_is_refused_rather_than_read_as_an_empty_window()
    {
        var error = Assert.Throws<ArgumentException>(() => CategoricalHistogram.FromJson("""{"categories":["a","b"],"unseenCount":3}"""));

        Assert.Contains("2 categories have 2 counts, not 0", error.Message);
    }

    [Fact]
    public void Windows_over_other_categories_do_not_merge()
    {
        var histogram = new CategoricalHistogram(["a", "b"]);

        Assert.Throws<ArgumentException>(() => histogram.Merge(new CategoricalHistogram(["b", "a"])));
    }
}

public sealed class When_a_measurement_is_stored
{
    [Fact]
    public void A_not_computable_measurement_keeps_its_reason_and_nan_value_through_json()
    {
        var measurement = DriftMeasurement.NotComputable(DriftMetric.Psi, "the window has no rows");

        var restored = CatalogJson.Deserialize<DriftMeasurement>(CatalogJson.Serialize(measurement));

        Assert.Equal(MeasurementStatus.NotComputable, restored.Status);
        Assert.True(double.IsNaN(restored.Value));
        Assert.Equal("the window has no rows", restored.Reason);
        Assert.Contains("\"not_computable\"", CatalogJson.Serialize(measurement));
    }
}
