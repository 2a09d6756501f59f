namespace Mlops.Contracts;

/// <summary>Labels for logged predictions arrived (e.g. which customers really churned).</summary>
public record GroundTruthLanded
{
    /// <summary>The model whose predictions are labelled, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod.</summary>
    public string Environment { get; init; } = "";

    /// <summary>The producing pipeline.</summary>
    public string Principal { get; init; } = "";

    public IReadOnlyList<GroundTruthLabel> Labels { get; init; } = [];
}
