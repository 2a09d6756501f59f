namespace Mlops.Contracts;

/// <summary>
/// Score a feature table version, or a list of entity keys, with a model into scoring.predictions: the job named by
/// <see cref="JobId"/> (a row of scoring.jobs), done once however often the command comes.
/// </summary>
public record ScoreBatch
{
    /// <summary>The scoring job: its row in scoring.jobs, its predictions' job_id.</summary>
    public Guid JobId { get; init; }

    /// <summary>The pipeline run that asked for it, else the job id.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The version to score with; the champion when empty (resolved once, when the job starts).</summary>
    public int? ModelVersion { get; init; }

    /// <summary>The version of the model's feature table to read; the latest of the environment when empty.</summary>
    public int? FeatureVersion { get; init; }

    /// <summary>Only these entities of that version; every entity of it when empty.</summary>
    public IReadOnlyList<long>? EntityKeys { get; init; }

    /// <summary>What started the job: on_demand, schedule or pipeline.</summary>
    public string Trigger { get; init; } = "";
}
