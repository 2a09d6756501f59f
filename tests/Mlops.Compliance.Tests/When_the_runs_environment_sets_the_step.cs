using Mlops.Contracts;
using Xunit;

namespace Mlops.Compliance.Tests;

/// <summary>
/// CheckCompliance carries what the run's environment sets (Pipeline:Environments:&lt;env&gt;: ComplianceMode, metric floors):
/// it replaces the service's defaults, the model's own settings (Compliance:Models) still win, and a mode or floor nobody can
/// check against is refused with the reason, over the real broker.
/// </summary>
public sealed class When_the_runs_environment_sets_the_step(ComplianceHosts hosts) : IClassFixture<ComplianceHosts>
{
    private static VersionSpec Weak => new()
    {
        Tags = new Dictionary<string, string> { ["pii"] = "none", ["gdpr"] = "reviewed" },
        Metrics = new Dictionary<string, double> { ["auc"] = 0.72 },
    };

    [Fact]
    public async Task The_environments_dry_run_lets_a_breaking_version_pass_with_its_results_recorded()
    {
        const string model = "staging.ml.env_dry_run";
        var version = await hosts.Arrange.RegisterAsync(model, Weak);
        var runId = Guid.NewGuid();

        await CheckAsync(runId, model, version, "dry_run", new Dictionary<string, double> { ["auc"] = 0.8 });

        var passed = (await hosts.Replies.WaitAsync<ComplianceCheckPassed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal("dry_run", passed.Mode);
        Assert.Equal(["metric_floor:auc"], passed.Results.Where(r => !r.Passed).Select(r => r.Rule));
        Assert.Equal("ready", await hosts.StatusAsync(model, version));
    }

    [Fact]
    public async Task The_environments_floor_blocks_an_enforced_version_below_it()
    {
        const string model = "prod.ml.env_floor";
        var version = await hosts.Arrange.RegisterAsync(model, Weak);
        var runId = Guid.NewGuid();

        await CheckAsync(runId, model, version, "enforced", new Dictionary<string, double> { ["auc"] = 0.8 });

        var failed = (await hosts.Replies.WaitAsync<ComplianceCheckFailed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal(["metric_floor:auc"], failed.FailedRules.Select(r => r.Rule));
        Assert.Equal("archived", await hosts.StatusAsync(model, version));
    }

    [Fact]
    public async Task The_models_own_mode_wins_over_the_environments()
    {
        var version = await hosts.Arrange.RegisterAsync(TestModels.Disabled, Weak);
        var runId = Guid.NewGuid();

        await CheckAsync(runId, TestModels.Disabled, version, "enforced", new Dictionary<string, double> { ["auc"] = 0.99 });

        var passed = (await hosts.Replies.WaitAsync<ComplianceCheckPassed>(m => m.CorrelationId == runId)).Single();
        Assert.Equal("disabled", passed.Mode);
    }

    [Fact]
    public async Task A_mode_or_floor_nobody_can_check_against_is_refused_with_the_reason()
    {
        const string model = "prod.ml.env_bad_mode";
        var version = await hosts.Arrange.RegisterAsync(model, Weak);
        var runId = Guid.NewGuid();

        await CheckAsync(runId, model, version, "lenient", new Dictionary<string, double> { ["rmse"] = 0.1 });

        var failed = (await hosts.Replies.WaitAsync<ComplianceCheckFailed>(m => m.CorrelationId == runId)).Single();
        Assert.All(failed.FailedRules, r => Assert.Equal("valid_policy", r.Rule));
        Assert.Contains(failed.FailedRules, r => r.Detail.Contains("CheckCompliance:Mode is 'lenient'"));
        Assert.Contains(failed.FailedRules, r => r.Detail.Contains("CheckCompliance:MetricFloors names 'rmse'"));
        Assert.Equal("ready", await hosts.StatusAsync(model, version));
    }

    private Task CheckAsync(Guid runId, string model, int version, string? mode, IReadOnlyDictionary<string, double> floors) =>
        hosts.PublishAsync(new CheckCompliance
        {
            CorrelationId = runId, ModelName = model, Environment = model.Split('.')[0], Principal = "svc-pipeline", Version = version,
            Mode = mode, MetricFloors = floors,
        });
}
