namespace Mlops.Contracts;

/// <summary>New training code (or new parameters for it) was released for a model: the deploy-code trigger.</summary>
public record TrainingCodeReleased
{
    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The git sha of the released code.</summary>
    public string CodeVersion { get; init; } = "";

    /// <summary>Which trainer runs: logistic_regression (built in) or external.</summary>
    public string Trainer { get; init; } = "";

    /// <summary>Trainer parameters (e.g. l2, max_iterations, seed).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>The model description the code declares, if any.</summary>
    public string? Description { get; init; }

    /// <summary>Tags the release declares for new versions (e.g. pii, gdpr).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}
