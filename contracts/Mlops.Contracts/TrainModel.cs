namespace Mlops.Contracts;

/// <summary>Train a model on a pinned feature table version and register the result.</summary>
public record TrainModel
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The feature table.</summary>
    public string FeatureTable { get; init; } = "";

    /// <summary>The version to train on.</summary>
    public int FeatureVersion { get; init; }

    /// <summary>The training code's git sha.</summary>
    public string CodeVersion { get; init; } = "";

    /// <summary>The trainer to run.</summary>
    public string Trainer { get; init; } = "";

    /// <summary>Trainer parameters.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Model description.</summary>
    public string? Description { get; init; }

    /// <summary>Tags for the new version.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}
