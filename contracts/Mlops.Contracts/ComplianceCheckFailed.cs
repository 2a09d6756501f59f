namespace Mlops.Contracts;

/// <summary>A version failed enforced rules and was archived.</summary>
public record ComplianceCheckFailed
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The version.</summary>
    public int Version { get; init; }

    /// <summary>The mode (enforced).</summary>
    public string Mode { get; init; } = "";

    /// <summary>Every rule that failed, with the reason.</summary>
    public IReadOnlyList<ComplianceRuleResult> FailedRules { get; init; } = [];
}
