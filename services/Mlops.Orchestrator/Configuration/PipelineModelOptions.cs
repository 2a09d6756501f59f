namespace Mlops.Orchestrator.Configuration;

/// <summary>One model under the deploy-code pipeline: where its features come from and how it is trained by default.</summary>
public sealed class PipelineModelOptions
{
    /// <summary>The model's full name, catalog.schema.model; the catalog is the environment.</summary>
    public string Name { get; set; } = "";

    /// <summary>The feature table the model trains on.</summary>
    public string FeatureTable { get; set; } = "";

    /// <summary>The raw landing table the feature table is computed from, schema.table.</summary>
    public string SourceTable { get; set; } = "";

    /// <summary>What a new batch landing in <see cref="SourceTable"/> does: nothing, start a run, or start a run until the model has a champion.</summary>
    public NewDataPolicy OnNewData { get; set; } = NewDataPolicy.Ignore;

    /// <summary>The environment the model lives in: its catalog.</summary>
    public string Environment => Name.Split('.')[0];

    /// <summary>
    /// Whether a person must approve the promotion of a better challenger. Unset: the environment's RequireApproval
    /// (Pipeline:Environments), else only in prod.
    /// </summary>
    public bool? RequireApproval { get; set; }

    /// <summary>
    /// The least time between the start of the model's last run and a run started by an automatic trigger (new data,
    /// drift, degraded performance, the schedule); manual requests and code releases are never held back. Without it,
    /// the environment's Cooldown (Pipeline:Environments) applies; without either, monitoring alerts are held back by
    /// Pipeline:DefaultCooldown and the other automatic triggers not at all.
    /// </summary>
    public TimeSpan? Cooldown { get; set; }

    /// <summary>A cron expression (minute hour day-of-month month day-of-week, UTC), e.g. "0 3 * * *": when the model is retrained on a schedule.</summary>
    public string? Schedule { get; set; }

    /// <summary>An empty Schedule (e.g. an environment variable that blanks the one in appsettings.json) is no schedule.</summary>
    public bool HasSchedule => !string.IsNullOrWhiteSpace(Schedule);

    /// <summary>The trainer until the model's first TrainingCodeReleased.</summary>
    public string? Trainer { get; set; }

    /// <summary>The code version until the model's first TrainingCodeReleased.</summary>
    public string? CodeVersion { get; set; }

    /// <summary>Trainer parameters until the model's first TrainingCodeReleased.</summary>
    public Dictionary<string, string> Parameters { get; set; } = [];

    public string? Description { get; set; }

    /// <summary>Tags for new versions until the model's first TrainingCodeReleased.</summary>
    public Dictionary<string, string> Tags { get; set; } = [];
}
