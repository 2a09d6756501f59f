using System.Globalization;
using Mlops.Contracts;
using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>The models the test orchestrator runs pipelines for, one per situation, and how the fake workers treat each.</summary>
public static class TestModels
{
    public const string Happy = "dev.ml.happy";
    public const string Rerun = "dev.ml.rerun";
    public const string Approval = "dev.ml.approval";
    public const string LostReply = "dev.ml.lost_reply";
    public const string Silent = "dev.ml.silent";
    public const string Dirty = "dev.ml.dirty";
    public const string Busy = "dev.ml.busy";
    public const string Released = "dev.ml.released";
    public const string OnData = "dev.ml.on_data";
    public const string NotOnData = "dev.ml.not_on_data";
    public const string StagingOnData = "staging.ml.on_data";
    public const string Storm = "dev.ml.storm";
    public const string CoolingDown = "dev.ml.cooling_down";
    public const string Degraded = "dev.ml.degraded";
    public const string Bootstrap = "dev.ml.bootstrap";
    public const string Measured = "dev.ml.measured";
    public const string MeasuredDirty = "dev.ml.measured_dirty";

    public const string TestLanding = "raw.test_landing";
    public const string ReleaseLanding = "raw.release_landing";
    public const string BootstrapLanding = "raw.bootstrap_landing";

    /// <summary>The Cooldown of <see cref="CoolingDown"/>; the other models set none, so alerts wait for Pipeline:DefaultCooldown (an hour).</summary>
    public static readonly TimeSpan Cooldown = TimeSpan.FromMinutes(30);

    public static readonly IReadOnlyList<string> Violations = ["tenure_months null rate 0.42 exceeds 0.05", "monthly_charges min -3 is below 0"];

    public static readonly IReadOnlyDictionary<string, FakeBehaviour> Behaviours = new Dictionary<string, FakeBehaviour>
    {
        [LostReply] = new() { LosesFirstReplyTo = nameof(TrainModel) },
        [Silent] = new() { NeverAnswers = nameof(CheckCompliance) },
        [Dirty] = new() { Violations = Violations },
        [MeasuredDirty] = new() { Violations = Violations },
        [Busy] = new() { NeverAnswers = nameof(RefreshFeatures) },
        [SweptRuns.Locked] = new() { NeverAnswers = nameof(RefreshFeatures) },
        [HeldRuns.Code] = new() { NeverAnswers = nameof(RefreshFeatures) },
        [HeldRuns.Rejected] = new() { NeverAnswers = nameof(RefreshFeatures), RejectsChallenger = true },
        [HeldRuns.Storm] = new() { NeverAnswers = nameof(RefreshFeatures) },
        [HeldRuns.Stale] = new() { NeverAnswers = nameof(RefreshFeatures) },
        [HeldRuns.Cancelled] = new() { NeverAnswers = nameof(RefreshFeatures) },
        [HeldRuns.Repeated] = new() { NeverAnswers = nameof(RefreshFeatures) },
    };

    public static IReadOnlyList<PipelineModelOptions> All =>
    [
        Model(Happy),
        Model(Rerun),
        Model(Approval, m => m.RequireApproval = true),
        Model(LostReply),
        Model(Silent),
        Model(Dirty),
        Model(Busy),
        Model(Released, m => { m.CodeVersion = null; m.Trainer = null; m.SourceTable = ReleaseLanding; m.OnNewData = NewDataPolicy.Retrain; }),
        Model(OnData, m => { m.SourceTable = TestLanding; m.OnNewData = NewDataPolicy.Retrain; }),
        Model(NotOnData, m => { m.SourceTable = TestLanding; m.OnNewData = NewDataPolicy.Ignore; }),
        Model(StagingOnData, m => { m.SourceTable = TestLanding; m.OnNewData = NewDataPolicy.Retrain; }),
        Model(Storm),
        Model(CoolingDown, m => m.Cooldown = Cooldown),
        Model(Degraded),
        Model(Bootstrap, m => { m.SourceTable = BootstrapLanding; m.OnNewData = NewDataPolicy.RetrainUntilChampion; }),
        Model(Measured),
        Model(MeasuredDirty),
    ];

    /// <summary>The Pipeline section as configuration keys, the way appsettings.json or environment variables would give it.</summary>
    public static Dictionary<string, string?> Settings(IReadOnlyList<PipelineModelOptions> models, TimeSpan stepTimeout)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var step in new PipelineStepTimeouts().All())
            settings[$"Pipeline:StepTimeouts:{step.Step}"] = stepTimeout.ToString("c", CultureInfo.InvariantCulture);

        for (var i = 0; i < models.Count; i++)
        {
            var model = models[i];
            var prefix = $"Pipeline:Models:{i}:";
            settings[prefix + nameof(model.Name)] = model.Name;
            settings[prefix + nameof(model.FeatureTable)] = model.FeatureTable;
            settings[prefix + nameof(model.SourceTable)] = model.SourceTable;
            settings[prefix + nameof(model.OnNewData)] = model.OnNewData.ToString();
            if (model.RequireApproval is { } requireApproval)
                settings[prefix + nameof(model.RequireApproval)] = requireApproval.ToString();
            settings[prefix + nameof(model.Trainer)] = model.Trainer;
            settings[prefix + nameof(model.CodeVersion)] = model.CodeVersion;
            if (model.Cooldown is { } cooldown)
                settings[prefix + nameof(model.Cooldown)] = cooldown.ToString("c", CultureInfo.InvariantCulture);
            if (model.Schedule is { } schedule)
                settings[prefix + nameof(model.Schedule)] = schedule;
            foreach (var (name, value) in model.Parameters)
                settings[$"{prefix}Parameters:{name}"] = value;
        }
        return settings;
    }

    public static PipelineModelOptions Model(string name, Action<PipelineModelOptions>? configure = null)
    {
        var model = new PipelineModelOptions
        {
            Name = name,
            FeatureTable = "churn_features",
            SourceTable = "raw.churn_customers",
            Trainer = "logistic_regression",
            CodeVersion = "builtin",
            Parameters = new() { ["l2"] = "0.01" },
        };
        configure?.Invoke(model);
        return model;
    }
}
