using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting;
using Mlops.Hosting.Retention;
using Mlops.Testing;
using Xunit;

namespace Mlops.BatchScoring.Tests;

public sealed class When_retention_runs_over_scoring_jobs(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private WebApplication? _scoring;

    public async Task InitializeAsync() =>
        _scoring = await TestHost.StartAsync(environment, "batch-scoring", b =>
        {
            b.AddMlopsDefaults();
            b.AddBatchScoringService();
        }, new Dictionary<string, string?> { ["Retention:Enabled"] = "false", ["Retention:ScoringJobs:BatchSize"] = "1" });

    [Fact]
    public async Task Jobs_that_ended_long_ago_go_with_their_predictions_while_running_and_recent_ones_stay()
    {
        await environment.Database.ExecuteAsync("""
            INSERT INTO scoring.jobs (job_id, correlation_id, model_name, environment, trigger, requested_by, state, finished_at) VALUES
                ('00000000-0000-0000-0000-000000000001', gen_random_uuid(), 'dev.ml.m', 'dev', 'on_demand', 't', 'completed', now() - interval '100 days'),
                ('00000000-0000-0000-0000-000000000002', gen_random_uuid(), 'dev.ml.m', 'dev', 'on_demand', 't', 'failed', now() - interval '100 days'),
                ('00000000-0000-0000-0000-000000000003', gen_random_uuid(), 'dev.ml.m', 'dev', 'on_demand', 't', 'completed', now() - interval '1 day'),
                ('00000000-0000-0000-0000-000000000004', gen_random_uuid(), 'dev.ml.m', 'dev', 'on_demand', 't', 'running', NULL);
            UPDATE scoring.jobs SET created_at = now() - interval '200 days';
            INSERT INTO scoring.job_chunks (job_id, chunk, row_count, log_batch_id) VALUES
                ('00000000-0000-0000-0000-000000000001', 0, 2, gen_random_uuid()), ('00000000-0000-0000-0000-000000000003', 0, 1, gen_random_uuid());
            INSERT INTO scoring.predictions (job_id, entity_id, model_name, model_version, prediction, scored_at) VALUES
                ('00000000-0000-0000-0000-000000000001', 1, 'dev.ml.m', 1, 0.5, now() - interval '100 days'),
                ('00000000-0000-0000-0000-000000000001', 2, 'dev.ml.m', 1, 0.5, now() - interval '100 days'),
                ('00000000-0000-0000-0000-000000000003', 1, 'dev.ml.m', 1, 0.5, now() - interval '1 day');
            """);

        var runs = await _scoring!.Services.GetRequiredService<RetentionService>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(2, runs[BatchScoringRetention.ScoringJobs.Name].Rows);
        Assert.Equal(["03", "04"], await environment.Database.QueryAsync<string>("SELECT right(job_id::text, 2) FROM scoring.jobs ORDER BY job_id"));
        Assert.Equal(["03"], await environment.Database.QueryAsync<string>("SELECT right(job_id::text, 2) FROM scoring.predictions"));
        Assert.Equal(["03"], await environment.Database.QueryAsync<string>("SELECT right(job_id::text, 2) FROM scoring.job_chunks"));
    }

    public Task DisposeAsync() => _scoring.StopQuietlyAsync();
}
