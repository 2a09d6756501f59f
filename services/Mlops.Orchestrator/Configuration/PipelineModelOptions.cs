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

    /// <summary>Whether a new batch landing in <see cref="SourceTable"/> starts a run.</summary>
    public bool RetrainOnNewData { get; set; }

    /// <summary>Whether a person must approve the promotion of a better challenger.</summary>
    public bool RequireApproval { get; set; }

    /// <summary>
    /// The least time between two runs started by automatic triggers (drift, degraded performance, schedule);
    /// manual requests and code releases are never held back.
    /// </summary>
    public TimeSpan? Cooldown { get; set; }

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
