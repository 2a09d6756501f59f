namespace Mlops.Catalog.Models;

/// <summary>
/// How one input becomes design columns. <c>standardize</c>: (value − center) / scale after imputing nulls;
/// <c>identity</c>: the value itself (null stays missing, for trees); <c>one_hot</c>: one 0/1 column per category,
/// named <c>input=category</c>, all zero for null or an unseen category.
/// </summary>
public sealed record InputEncoding
{
    public const string Standardize = "standardize";
    public const string Identity = "identity";
    public const string OneHot = "one_hot";

    public required string Input { get; init; }
    public required string Kind { get; init; }
    public double? Center { get; init; }
    public double? Scale { get; init; }
    public double? Impute { get; init; }
    public IReadOnlyList<string>? Categories { get; init; }
}
