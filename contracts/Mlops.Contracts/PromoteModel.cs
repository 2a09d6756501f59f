namespace Mlops.Contracts;

/// <summary>Move the champion alias to a version, if the champion is still the one the evaluation saw.</summary>
public record PromoteModel
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The new champion.</summary>
    public int Version { get; init; }

    /// <summary>The champion the decision was based on (none: no champion yet).</summary>
    public int? ExpectedChampionVersion { get; init; }
}
