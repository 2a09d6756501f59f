namespace Mlops.Contracts;

/// <summary>A promotion waits for a person's approval.</summary>
public record ApprovalRequested
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The version to promote.</summary>
    public int Version { get; init; }

    /// <summary>The evaluation, for the approver.</summary>
    public string Summary { get; init; } = "";
}
