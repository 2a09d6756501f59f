using Mlops.Catalog.Monitoring;

namespace Mlops.Monitoring.Drift;

/// <summary>
/// A categorical training profile prepared for drift. Its bins are the training categories in profile order and, last,
/// the "unseen" bucket whose reference share is 0: a category training never saw shows up as mass where training had none.
/// </summary>
public sealed class CategoricalReference
{
    private CategoricalReference(FeatureProfile profile, IReadOnlyList<double> proportions)
    {
        Name = profile.Name;
        Categories = profile.Categories;
        Proportions = proportions;
        NullRate = profile.NullRate;
        ValueCount = (long)Math.Round(profile.Count * (1 - profile.NullRate));
    }

    public string Name { get; }
    public IReadOnlyList<string> Categories { get; }

    /// <summary>Shares of the non-null training values per category, then 0 for the unseen bucket.</summary>
    public IReadOnlyList<double> Proportions { get; }

    public double NullRate { get; }
    public long ValueCount { get; }

    /// <summary>Whether training had any non-null value: without, no distribution metric is computable.</summary>
    public bool HasValues => Categories.Count > 0;

    public CategoricalHistogram NewHistogram() => new(Categories);

    public static CategoricalReference From(FeatureProfile profile)
    {
        if (profile.Type != FeatureProfile.CategoricalType)
            throw new ArgumentException($"Feature '{profile.Name}' is {profile.Type}, not categorical.", nameof(profile));
        if (profile.CategoryProportions.Count != profile.Categories.Count)
            throw new ArgumentException($"Feature '{profile.Name}' has {profile.Categories.Count} categories but {profile.CategoryProportions.Count} proportions.", nameof(profile));

        return new CategoricalReference(profile, profile.Categories.Count == 0 ? [] : Distribution.Normalize([.. profile.CategoryProportions, 0]));
    }

    internal void EnsureBinned(CategoricalHistogram window)
    {
        if (!window.Categories.SequenceEqual(Categories, StringComparer.Ordinal))
            throw new ArgumentException($"The window histogram of '{Name}' was not binned for this reference (use NewHistogram()).", nameof(window));
    }
}
