using Mlops.Hosting.Retention;
using Mlops.Orchestrator.Sagas;

namespace Mlops.Orchestrator;

/// <summary>
/// Old triggers go once nothing can still act on them: ignored ones (no run, no pending re-check) and those of a run that
/// has ended (the final states of DeployCodePipelineStateMachine) or no longer exists.
/// </summary>
public static class OrchestratorRetention
{
    // The final states come from the state machine itself (names of code, not input), so a new one is never forgotten here.
    private static readonly string FinalStates = string.Join(", ", DeployCodePipelineStateMachine.FinalStateNames.Select(state => $"'{state}'"));

    public static readonly RetentionRule PipelineTriggers = new("PipelineTriggers", $$"""
        DELETE FROM pipeline.triggers WHERE ctid IN (
            SELECT t.ctid FROM pipeline.triggers t
            LEFT JOIN pipeline.deploy_code_pipeline_runs r ON r.correlation_id = t.run_id
            WHERE t.received_at < @Cutoff
              AND (t.recheck_at IS NULL OR t.recheck_at < @Cutoff)
              AND (t.run_id IS NULL OR r.correlation_id IS NULL
                   OR r.current_state IN ({{FinalStates}}))
            LIMIT @BatchSize)
        """, TimeSpan.FromDays(90));
}
