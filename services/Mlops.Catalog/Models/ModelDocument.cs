namespace Mlops.Catalog.Models;

/// <summary>
/// The portable model format (docs/model-format.md): JSON that the built-in trainer writes, an external trainer may
/// write, and Serving and Promotion score natively.
/// </summary>
public sealed record ModelDocument
{
    public const string CurrentFormat = "mlops.model/v1";
    public const string LogisticRegressionKind = "logistic_regression";
    public const string TreeEnsembleKind = "tree_ensemble";

    public string Format { get; init; } = CurrentFormat;
    public required string Kind { get; init; }
    public required ModelSignature Signature { get; init; }
    public IReadOnlyList<InputEncoding> Encodings { get; init; } = [];
    public LogisticRegressionParameters? LogisticRegression { get; init; }
    public TreeEnsembleParameters? TreeEnsemble { get; init; }

    /// <summary>Probability at or above which the positive class is predicted.</summary>
    public double DecisionThreshold { get; init; } = 0.5;

    /// <summary>Free-form facts: trainer, code version, training parameters.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
