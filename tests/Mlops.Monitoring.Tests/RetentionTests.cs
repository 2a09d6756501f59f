using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting;
using Mlops.Hosting.Retention;
using Mlops.Testing;
using Xunit;

namespace Mlops.Monitoring.Tests;

public sealed class When_retention_runs_over_monitoring(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private WebApplication? _monitoring;

    public async Task InitializeAsync() =>
        _monitoring = await TestHost.StartAsync(environment, "monitoring", b =>
        {
            b.AddMlopsDefaults();
            b.AddMonitoringService();
        }, new Dictionary<string, string?>
        {
            ["Monitoring:EvaluateOnSchedule"] = "false",
            ["Retention:Enabled"] = "false",
            ["Retention:GroundTruth:Period"] = "10.00:00:00",
            ["Retention:GroundTruth:BatchSize"] = "3",
        });

    [Fact]
    public async Task Ground_truth_older_than_its_period_goes_in_batches_and_younger_labels_stay()
    {
        await environment.Database.ExecuteAsync("""
            INSERT INTO monitoring.ground_truth (request_id, row_index, model_name, label, landed_at)
            SELECT gen_random_uuid(), 0, 'dev.ml.churn', 1, now() - interval '11 days' FROM generate_series(1, 7);
            INSERT INTO monitoring.ground_truth (request_id, row_index, model_name, label, landed_at)
            SELECT gen_random_uuid(), 0, 'dev.ml.churn', 0, now() - interval '9 days' FROM generate_series(1, 2);
            INSERT INTO monitoring.processed_batches (batch_id, model_name, row_count, processed_at)
            VALUES (gen_random_uuid(), 'dev.ml.churn', 10, now() - interval '61 days'), (gen_random_uuid(), 'dev.ml.churn', 10, now());
            """);

        var runs = await _monitoring!.Services.GetRequiredService<RetentionService>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(new RetentionRun(7, 3, false), runs[MonitoringRetention.GroundTruth.Name]);
        Assert.Equal(new RetentionRun(1, 1, false), runs[MonitoringRetention.ProcessedBatches.Name]);
        Assert.Equal(2, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM monitoring.ground_truth"));
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM monitoring.ground_truth WHERE landed_at < now() - interval '10 days'"));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM monitoring.processed_batches"));
    }

    public Task DisposeAsync() => _monitoring.StopQuietlyAsync();
}
