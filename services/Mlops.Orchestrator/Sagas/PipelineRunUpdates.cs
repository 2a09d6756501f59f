using System.Diagnostics;
using Mlops.Contracts;
using Mlops.Hosting.Telemetry;

namespace Mlops.Orchestrator.Sagas;

/// <summary>What each event changes in a run's state, and the history line it leaves.</summary>
public static class PipelineRunUpdates
{
    public static void Begin(this DeployCodePipelineState run, StartPipelineRun start, DateTimeOffset now)
    {
        run.ModelName = start.ModelName;
        run.Environment = start.Environment;
        run.Principal = start.Principal;
        run.Trigger = start.Trigger;
        run.TriggerDetail = start.TriggerDetail;
        run.FeatureTable = start.FeatureTable;
        run.SourceTable = start.SourceTable;
        run.RawBatchId = start.RawBatchId;
        run.CodeVersion = start.CodeVersion;
        run.Trainer = start.Trainer;
        run.Parameters = new Dictionary<string, string>(start.Parameters);
        run.Description = start.Description;
        run.Tags = new Dictionary<string, string>(start.Tags);
        run.RequireApproval = start.RequireApproval;
        run.RequestedComplianceMode = start.ComplianceMode;
        run.Thresholds = start.Thresholds;
        run.TraceId = Activity.Current?.TraceId.ToHexString();
        run.StartedAt = now;
        run.Note(now, $"Started by {start.Trigger} ({start.TriggerDetail}) with code {start.CodeVersion}, trainer {start.Trainer}");
        if (start.ComplianceMode is not null || start.Thresholds is not null)
            run.Note(now, $"{start.Environment}'s pipeline configuration: {Describe(start)}");
    }

    public static void Apply(this DeployCodePipelineState run, FeatureTableRefreshed refreshed, DateTimeOffset now)
    {
        run.FeatureVersion = refreshed.FeatureVersion;
        run.FeatureRows = refreshed.RowCount;
        run.Note(now, $"Feature table {refreshed.FeatureTable} version {refreshed.FeatureVersion}: {refreshed.RowCount} rows");
    }

    public static void Apply(this DeployCodePipelineState run, ModelRegistered registered, DateTimeOffset now)
    {
        run.ModelVersion = registered.Version;
        run.TrainingRunId = registered.TrainingRunId;
        run.ValidationMetrics = new Dictionary<string, double>(registered.Metrics);
        run.Note(now, $"Registered version {registered.Version} from tracking run {registered.TrainingRunId}");
    }

    public static void Apply(this DeployCodePipelineState run, ComplianceCheckPassed passed, DateTimeOffset now)
    {
        run.ComplianceMode = passed.Mode;
        run.Note(now, $"Version {passed.Version} passed compliance ({passed.Mode}, {passed.Results.Count} rules)");
    }

    public static void Apply(this DeployCodePipelineState run, ChallengerEvaluated evaluated, DateTimeOffset now)
    {
        run.ChampionBefore = evaluated.ChampionVersion;
        run.Evaluation = new PipelineEvaluation
        {
            Metric = evaluated.Metric,
            ChallengerScore = evaluated.ChallengerScore,
            ChampionScore = evaluated.ChampionScore,
            RequiredScore = evaluated.RequiredScore,
            HoldoutRows = evaluated.HoldoutRows,
            Promote = evaluated.Promote,
            Reason = evaluated.Reason,
        };
        run.Note(now, $"Evaluated against champion {evaluated.ChampionVersion?.ToString() ?? "(none)"}: {evaluated.Reason}");
    }

    public static void Apply(this DeployCodePipelineState run, PromotionApproved approval, DateTimeOffset now)
    {
        run.ApprovedBy = approval.Principal;
        run.Note(now, string.IsNullOrWhiteSpace(approval.Comment) ? $"Approved by {approval.Principal}" : $"Approved by {approval.Principal}: {approval.Comment}");
    }

    public static void Apply(this DeployCodePipelineState run, ModelPromoted promoted, DateTimeOffset now)
    {
        run.ChampionAfter = promoted.Version;
        run.Note(now, $"Version {promoted.Version} is champion (was {promoted.PreviousVersion?.ToString() ?? "none"})");
    }

    public static void EnterStep(this DeployCodePipelineState run, string step, string command, TimeSpan timeout, DateTimeOffset now)
    {
        run.StepAttempt = 1;
        run.StepDeadlineAt = now + timeout;
        run.History.Add(new PipelineHistoryEntry(step, now, $"Published {command}; waiting until {run.StepDeadlineAt:u}"));
        run.UpdatedAt = now;
        run.TagActivity(step);
    }

    public static void RetryStep(this DeployCodePipelineState run, string command, TimeSpan timeout, DateTimeOffset now)
    {
        run.StepAttempt++;
        run.StepDeadlineAt = now + timeout;
        run.Note(now, $"No reply within {timeout}: published {command} again (attempt {run.StepAttempt}); waiting until {run.StepDeadlineAt:u}");
        run.TagActivity(run.CurrentState);
    }

    /// <summary>The reason a run ends Rejected, Failed or TimedOut; the transition to that state follows.</summary>
    public static void EndWith(this DeployCodePipelineState run, string reason, DateTimeOffset now)
    {
        run.FailureReason = reason;
        run.Note(now, reason);
    }

    /// <summary>
    /// Whether the run still waits in the step the sweeper saw, for the deadline it saw (or an earlier one): a run that got
    /// its reply, or set a later deadline, since the sweeper looked is not stuck.
    /// </summary>
    public static bool IsStillOverdue(this DeployCodePipelineState run, ExpirePipelineRun expire) =>
        run.CurrentState == expire.Step && run.StepDeadlineAt is { } deadline && deadline <= expire.StepDeadlineAt;

    public static void Finish(this DeployCodePipelineState run, DateTimeOffset now)
    {
        run.ChampionAfter ??= run.ChampionBefore;
        run.StepAttempt = 0;
        run.StepDeadlineAt = null;
        run.FinishedAt = now;
        run.Note(now, run.FailureReason is null ? $"Finished {run.CurrentState}" : $"Finished {run.CurrentState}: {run.FailureReason}");
        run.TagActivity(run.CurrentState);
    }

    public static void Note(this DeployCodePipelineState run, DateTimeOffset now, string note)
    {
        run.History.Add(new PipelineHistoryEntry(run.CurrentState ?? "Initial", now, note));
        run.UpdatedAt = now;
    }

    private static void TagActivity(this DeployCodePipelineState run, string? step)
    {
        if (Activity.Current is not { } activity)
            return;
        activity.SetTag(MlopsTelemetry.RunIdTag, run.CorrelationId.ToString());
        activity.SetTag(MlopsTelemetry.ModelTag, run.ModelName);
        activity.SetTag(MlopsTelemetry.EnvironmentTag, run.Environment);
        activity.SetTag(MlopsTelemetry.StepTag, step);
        if (run.ModelVersion is { } version)
            activity.SetTag(MlopsTelemetry.ModelVersionTag, version);
    }

    private static string Describe(StartPipelineRun start)
    {
        var parts = new List<string>();
        if (start.ComplianceMode is { } mode)
            parts.Add($"compliance {mode}");
        if (start.Thresholds is { } t)
        {
            if (t.Metric is { } metric)
                parts.Add($"metric {metric}");
            if (t.MinimumDelta is { } delta)
                parts.Add($"minimum delta {delta.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            if (t.BaselineThreshold is { } baseline)
                parts.Add($"baseline {baseline.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            parts.AddRange(t.MetricFloors.Select(f => $"floor {f.Key} {f.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));
        }
        return string.Join(", ", parts);
    }
}
