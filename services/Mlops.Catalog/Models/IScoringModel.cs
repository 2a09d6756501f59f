using Mlops.Catalog.Features;

namespace Mlops.Catalog.Models;

/// <summary>
/// A registered model loaded and ready to score, whatever format its artifact is in (<see cref="ModelFormats"/>): Serving,
/// Promotion's holdout and batch scoring all score through this, so a format added here is scored the same everywhere.
/// Implementations are immutable and thread-safe.
/// </summary>
public interface IScoringModel
{
    /// <summary>The artifact's format, one of <see cref="ModelFormats"/>.</summary>
    string Format { get; }

    /// <summary>The inputs a row must carry, in order, with their types.</summary>
    IReadOnlyList<SignatureColumn> Inputs { get; }

    /// <summary>
    /// The probability of the positive class for one row: one value per input in signature order, a double (NaN for null)
    /// for double inputs and a string (or null) for string inputs.
    /// </summary>
    double Score(IReadOnlyList<object?> values);

    /// <summary>Scores every row of a frame that carries all the model's inputs.</summary>
    double[] Score(FeatureFrame frame);
}
