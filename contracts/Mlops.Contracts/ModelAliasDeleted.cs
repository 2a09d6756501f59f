namespace Mlops.Contracts;

/// <summary>An alias of a model was removed (no version carries it any more).</summary>
public record ModelAliasDeleted
{
    /// <summary>The pipeline run or operation this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who removed it.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The alias, e.g. challenger.</summary>
    public string Alias { get; init; } = "";

    /// <summary>The version it pointed at.</summary>
    public int Version { get; init; }
}
