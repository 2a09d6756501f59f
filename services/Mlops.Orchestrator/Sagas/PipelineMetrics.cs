using System.Diagnostics;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Data;
using Mlops.Hosting.Telemetry;

namespace Mlops.Orchestrator.Sagas;

/// <summary>
/// Runs started and finished (by outcome: the final state) per model and environment, and how long each step took, on the
/// Mlops meter. Recorded once the saga's transaction commits: a transition rolled back by a concurrency conflict and
/// retried counts once.
/// </summary>
public static class PipelineMetrics
{
    private static readonly Counter<long> RunsStarted = MlopsTelemetry.Meter.CreateCounter<long>("mlops.pipeline.runs.started", "{run}",
        "Pipeline runs started, per model, environment and trigger.");

    private static readonly Counter<long> RunsFinished = MlopsTelemetry.Meter.CreateCounter<long>("mlops.pipeline.runs.finished", "{run}",
        "Pipeline runs finished, per model, environment and outcome (Completed, Rejected, Failed, TimedOut, Cancelled).");

    private static readonly Histogram<double> StepDuration = MlopsTelemetry.Meter.CreateHistogram("mlops.pipeline.step.duration", "s",
        "From a step's command to the reply that ended it (re-sends included), per model, environment, step and outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] });

    private const string InitialState = "Initial";

    public static void RecordStarted(this BehaviorContext<DeployCodePipelineState> context)
    {
        var tags = Tags(context.Saga);
        tags.Add("mlops.trigger", context.Saga.Trigger);
        AfterCommit(context, () => RunsStarted.Add(1, tags));
    }

    /// <summary>Before the run moves on to its next step: the step it is in ended well.</summary>
    public static void RecordStepCompleted(this BehaviorContext<DeployCodePipelineState> context, DateTimeOffset now)
    {
        if (context.Saga.CurrentState is { } step && step != InitialState)
            RecordStep(context, step, "Completed", now);
    }

    /// <summary>On entering a final state: the run, and the step it ended in.</summary>
    public static void RecordFinished(this BehaviorContext<DeployCodePipelineState> context, DateTimeOffset now)
    {
        var run = context.Saga;
        var outcome = run.CurrentState ?? "";
        if (run.History.LastOrDefault(h => h.State != outcome && h.State != InitialState)?.State is { } step)
            RecordStep(context, step, outcome, now);
        var tags = Tags(run);
        tags.Add(MlopsTelemetry.OutcomeTag, outcome);
        AfterCommit(context, () => RunsFinished.Add(1, tags));
    }

    private static void RecordStep(BehaviorContext<DeployCodePipelineState> context, string step, string outcome, DateTimeOffset now)
    {
        if (context.Saga.History.FirstOrDefault(h => h.State == step) is not { } entered)
            return;
        var seconds = (now - entered.At).TotalSeconds;
        var tags = Tags(context.Saga);
        tags.Add(MlopsTelemetry.StepTag, step);
        tags.Add(MlopsTelemetry.OutcomeTag, outcome);
        AfterCommit(context, () => StepDuration.Record(seconds, tags));
    }

    private static TagList Tags(DeployCodePipelineState run) => new()
    {
        { MlopsTelemetry.ModelTag, run.ModelName },
        { MlopsTelemetry.EnvironmentTag, run.Environment },
    };

    private static void AfterCommit(BehaviorContext<DeployCodePipelineState> context, Action record)
    {
        // The message's session, when there is one (the in-memory harness has none): count what committed.
        if (context.TryGetPayload(out IServiceProvider? services) && services.GetService<DbSession>() is { IsActive: true } session)
            session.AfterCommit(record);
        else
            record();
    }
}
