using System.Diagnostics;
using Mlops.Simulator;
using Mlops.Testing;
using Xunit;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// The trace UI on a bare machine: every service a process exporting OTLP to the standalone Aspire dashboard, and a pipeline
/// run read back through the dashboard's telemetry API as one trace crossing every service.
/// </summary>
public sealed class When_a_run_is_traced_in_the_dashboard(TracedPlatform platform) : IClassFixture<TracedPlatform>
{
    /// <summary>The command (or event) each service consumes in a run that ends with a new champion.</summary>
    private static readonly (string Service, string Consumes)[] Crossings =
    [
        ("Mlops.Orchestrator", "RawDataLanded"),
        ("Mlops.FeatureRefresh", "RefreshFeatures"),
        ("Mlops.Training", "TrainModel"),
        ("Mlops.Monitoring", "ModelRegistered"),
        ("Mlops.Compliance", "CheckCompliance"),
        ("Mlops.Promotion", "EvaluateChallenger"),
        ("Mlops.Promotion", "PromoteModel"),
        ("Mlops.Serving", "ModelPromoted"),
    ];

    [Fact]
    public async Task A_run_is_one_trace_that_crosses_every_service()
    {
        var batch = await platform.Lander.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 2_000, Seed = 7 }), "dev", "e2e-dashboard");
        var runId = await Eventually.WaitAsync(() => platform.Database.ScalarAsync<Guid?>(
            "SELECT run_id FROM pipeline.triggers WHERE disposition = 'started' AND detail LIKE '%' || @batch || '%'", new { batch = batch.ToString() }),
            id => id is not null, "the run the batch started");
        var run = (await Eventually.WaitAsync(() => platform.RunAsync(runId!.Value), r => r?.FinishedAt is not null, "the run to finish", TimeSpan.FromMinutes(3)))!;
        Assert.Equal("Completed", run.CurrentState);

        // The upstream publish that started the run stayed in the test process: the services' spans hang from it or from each other.
        var upstream = platform.Spans.InTrace(ActivityTraceId.CreateFromString(run.TraceId!)).Select(s => s.SpanId.ToHexString()).ToHashSet();
        Assert.NotEmpty(upstream);
        var spans = await Eventually.WaitAsync(() => platform.Dashboard.TraceAsync(run.TraceId!),
            s => Crossings.All(c => s.Any(span => IsConsumeOf(span, c.Service, c.Consumes))) && Orphans(s).All(upstream.Contains),
            "every service's spans of the run, connected, in the dashboard");

        // One trace: the run's id, no span without a parent, every parent in the trace.
        Assert.All(spans, s => Assert.Equal(run.TraceId, s.TraceId));
        Assert.DoesNotContain(spans, s => s.ParentSpanId.Length == 0);
        Assert.Subset(upstream, Orphans(spans).ToHashSet());
        Assert.Equal([.. TracedPlatform.Services.Select(s => "Mlops." + s).Order()], spans.Select(s => s.Service).Distinct().Order().ToList());
        // The domain spans are where they belong, and the dashboard lists every service as a resource.
        Assert.Contains(spans, s => s is { Service: "Mlops.Training", Name: "train" });
        Assert.Contains(spans, s => s is { Service: "Mlops.FeatureRefresh", Name: "compute features" });
        Assert.Contains(spans, s => s is { Service: "Mlops.Compliance", Name: "check compliance" });
        Assert.Contains(spans, s => s is { Service: "Mlops.Promotion", Name: "evaluate" });
        Assert.Superset(TracedPlatform.Services.Select(s => "Mlops." + s).ToHashSet(), (await platform.Dashboard.ResourcesAsync()).ToHashSet());
    }

    private static bool IsConsumeOf(DashboardSpan span, string service, string messageType) =>
        span.Service == service && span.Kind == DashboardSpan.Consumer
        && ((span.Attributes.GetValueOrDefault("messaging.masstransit.message_types") ?? span.Name).Contains(messageType, StringComparison.Ordinal));

    /// <summary>The parents the spans name that are not in the dashboard's trace.</summary>
    private static IReadOnlyList<string> Orphans(IReadOnlyList<DashboardSpan> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet();
        return spans.Where(s => !ids.Contains(s.ParentSpanId)).Select(s => s.ParentSpanId).Distinct().ToList();
    }
}
