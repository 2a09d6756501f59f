namespace Mlops.Contracts;

/// <summary>A version passed (or, in dry_run or disabled mode, was not blocked).</summary>
public record ComplianceCheckPassed
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

    /// <summary>disabled, dry_run or enforced.</summary>
    public string Mode { get; init; } = "";

    /// <summary>Every rule's result.</summary>
    public IReadOnlyList<ComplianceRuleResult> Results { get; init; } = [];
}
