using Mlops.Orchestrator.Admission;
using Mlops.Orchestrator.Configuration;
using Xunit;

namespace Mlops.Orchestrator.Tests.Admission;

public sealed class When_a_run_is_planned
{
    private static readonly Guid RunId = Guid.Parse("0195f0b2-0000-7000-8000-0000000000bb");

    private static readonly PipelineModelOptions Model = new()
    {
        Name = "dev.ml.churn",
        FeatureTable = "churn_features",
        SourceTable = "raw.churn_customers",
        RequireApproval = true,
        Trainer = "logistic_regression",
        CodeVersion = "builtin",
        Parameters = new() { ["l2"] = "0.01", ["seed"] = "1" },
        Description = "configured",
        Tags = new() { ["owner"] = "ml" },
    };

    private static readonly ReleasedCode Released = new()
    {
        ModelName = "dev.ml.churn",
        Environment = "dev",
        CodeVersion = "9e8d7c6",
        Trainer = "external",
        Parameters = new Dictionary<string, string> { ["l2"] = "0.1", ["depth"] = "4" },
        Description = null,
        Tags = new Dictionary<string, string> { ["pii"] = "true" },
        ReleasedBy = "ci",
        MessageId = Guid.NewGuid(),
    };

    [Fact]
    public void Before_any_release_the_configured_defaults_are_used()
    {
        Assert.True(RunPlanner.TryPlan(RunId, Trigger(), Model, released: null, new PipelineOptions(), out var start, out _));

        Assert.Equal(("builtin", "logistic_regression", "configured"), (start.CodeVersion, start.Trainer, start.Description));
        Assert.Equal(Model.Parameters, start.Parameters);
        Assert.Equal(Model.Tags, start.Tags);
        Assert.Equal((RunId, "churn_features", "raw.churn_customers", true), (start.CorrelationId, start.FeatureTable, start.SourceTable, start.RequireApproval));
    }

    [Fact]
    public void The_last_released_code_replaces_the_defaults()
    {
        Assert.True(RunPlanner.TryPlan(RunId, Trigger(), Model, Released, new PipelineOptions(), out var start, out _));

        Assert.Equal(("9e8d7c6", "external"), (start.CodeVersion, start.Trainer));
        Assert.Equal(Released.Parameters, start.Parameters);
        Assert.Equal(Released.Tags, start.Tags);
        Assert.Equal("configured", start.Description);
    }

    [Fact]
    public void A_manual_request_overrides_the_code_version_and_single_parameters()
    {
        var trigger = Trigger() with { CodeVersion = "1234abc", Parameters = new Dictionary<string, string> { ["l2"] = "0.5" } };

        Assert.True(RunPlanner.TryPlan(RunId, trigger, Model, Released, new PipelineOptions(), out var start, out _));

        Assert.Equal("1234abc", start.CodeVersion);
        Assert.Equal(new Dictionary<string, string> { ["l2"] = "0.5", ["depth"] = "4" }, start.Parameters);
    }

    [Fact]
    public void A_model_with_no_code_at_all_cannot_run()
    {
        var bare = new PipelineModelOptions { Name = "dev.ml.bare", FeatureTable = "f", SourceTable = "raw.t" };

        Assert.False(RunPlanner.TryPlan(RunId, Trigger(), bare, released: null, new PipelineOptions(), out _, out var problem));

        Assert.Equal("dev.ml.bare has no training code: no TrainingCodeReleased yet and no CodeVersion configured in Pipeline:Models.", problem);
    }

    private static PipelineTrigger Trigger() => new()
    {
        Kind = TriggerKind.Manual,
        MessageId = Guid.NewGuid(),
        ModelName = "dev.ml.churn",
        Environment = "dev",
        Principal = "alice",
        Detail = "requested by alice",
    };
}
