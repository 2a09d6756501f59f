namespace Mlops.Contracts;

/// <summary>An operator asked for a pipeline run by hand.</summary>
public record PipelineRequested
{
    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>Why, in the operator's words.</summary>
    public string Reason { get; init; } = "";

    /// <summary>Code to run; the model's last released code when empty.</summary>
    public string? CodeVersion { get; init; }

    /// <summary>Trainer parameters overriding the last released ones.</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
}
