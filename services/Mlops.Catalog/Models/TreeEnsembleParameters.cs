namespace Mlops.Catalog.Models;

/// <summary>
/// Trees over design columns. <c>logistic_sum</c> (gradient boosting): p = sigmoid(baseScore + Σ leaf values);
/// <c>mean</c> (random forest): p = mean of leaf values, each a probability.
/// </summary>
public sealed record TreeEnsembleParameters
{
    public const string LogisticSum = "logistic_sum";
    public const string Mean = "mean";

    public string Aggregation { get; init; } = LogisticSum;
    public double BaseScore { get; init; }
    public required IReadOnlyList<Tree> Trees { get; init; }
}

/// <summary>Nodes by index; node 0 is the root.</summary>
public sealed record Tree(IReadOnlyList<TreeNode> Nodes);

/// <summary>
/// A split (<see cref="Feature"/>, <see cref="Threshold"/>, <see cref="Left"/>, <see cref="Right"/>: go left when value &lt; threshold,
/// missing values follow <see cref="MissingGoesLeft"/>) or a leaf (<see cref="Value"/>).
/// </summary>
public sealed record TreeNode
{
    public string? Feature { get; init; }
    public double? Threshold { get; init; }
    public int? Left { get; init; }
    public int? Right { get; init; }
    public double? Value { get; init; }
    public bool MissingGoesLeft { get; init; } = true;
}
