using System.Text.Json.Serialization;
using Mlops.Catalog;

namespace Mlops.Monitoring.Drift;

/// <summary>
/// Counts of a categorical column per category the reference knows, plus one "unseen" bucket for every category training
/// never saw (its own bin at drift time, with reference share 0) and a null count. Adding is O(1); windows merge and store
/// as JSON like <see cref="NumericHistogram"/>. Categories compare ordinally (case and accents matter, as in the profile).
/// </summary>
public sealed class CategoricalHistogram
{
    private readonly string[] categories;
    private readonly Dictionary<string, int> index;
    private readonly long[] counts;

    public CategoricalHistogram(IEnumerable<string> categories)
    {
        this.categories = [.. categories];
        index = new Dictionary<string, int>(this.categories.Length, StringComparer.Ordinal);
        for (var i = 0; i < this.categories.Length; i++)
        {
            if (this.categories[i] is null || !index.TryAdd(this.categories[i], i))
                throw new ArgumentException($"Categories must be distinct and not null; '{this.categories[i]}' is not.", nameof(categories));
        }
        counts = new long[this.categories.Length];
    }

    [JsonConstructor]
    private CategoricalHistogram(IReadOnlyList<string>? categories, IReadOnlyList<long>? counts, long unseenCount, long nullCount)
        : this(categories ?? throw new ArgumentException("A stored histogram needs its categories.", nameof(categories)))
    {
        if (counts is null || counts.Count != this.categories.Length)
            throw new ArgumentException($"{this.categories.Length} categories have {this.categories.Length} counts, not {counts?.Count ?? 0}.", nameof(counts));
        if (counts.Any(c => c < 0) || unseenCount < 0 || nullCount < 0)
            throw new ArgumentException("Histogram counts cannot be negative.", nameof(counts));

        for (var i = 0; i < counts.Count; i++)
            this.counts[i] = counts[i];
        UnseenCount = unseenCount;
        NullCount = nullCount;
    }

    public IReadOnlyList<string> Categories => categories;
    public IReadOnlyList<long> Counts => counts;

    /// <summary>Values of categories the reference never saw.</summary>
    public long UnseenCount { get; private set; }

    public long NullCount { get; private set; }

    /// <summary>Non-null values: the known categories and the unseen bucket.</summary>
    [JsonIgnore]
    public long ValueCount => counts.Sum() + UnseenCount;

    [JsonIgnore]
    public long Count => ValueCount + NullCount;

    public void Add(string? value)
    {
        if (value is null)
            NullCount++;
        else if (index.TryGetValue(value, out var i))
            counts[i]++;
        else
            UnseenCount++;
    }

    public void AddRange(IEnumerable<string?> values)
    {
        foreach (var value in values)
            Add(value);
    }

    public void Merge(CategoricalHistogram other)
    {
        if (!categories.AsSpan().SequenceEqual(other.categories))
            throw new ArgumentException("Only histograms over the same categories merge: these windows were binned for different references.", nameof(other));

        for (var i = 0; i < counts.Length; i++)
            counts[i] += other.counts[i];
        UnseenCount += other.UnseenCount;
        NullCount += other.NullCount;
    }

    /// <summary>The counts as bins: the known categories in reference order, then the unseen bucket.</summary>
    internal long[] BinCounts() => [.. counts, UnseenCount];

    public string ToJson() => CatalogJson.Serialize(this);

    public static CategoricalHistogram FromJson(string json) => CatalogJson.Deserialize<CategoricalHistogram>(json);
}
