using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Sagas;

namespace Mlops.Orchestrator.Sweeping;

/// <summary>
/// Ends runs stuck past their step deadline. A step's deadline is a durable message; if it is lost or dead-lettered the run
/// would stay active forever and keep its model's lane busy. Every orchestrator runs a sweeper: each look holds a
/// transaction-scoped advisory lock, so only one instance looks at a time and the others skip that round. A stuck run is
/// not written here: the sweeper sends the run an <see cref="ExpirePipelineRun"/> through the outbox and the saga ends it
/// (see DeployCodePipelineStateMachine), so a run that got its reply in the meantime is left alone.
/// </summary>
public sealed partial class StuckRunSweeper(
    IServiceScopeFactory scopes,
    OutboxPublisher outbox,
    IOptionsMonitor<PipelineOptions> options,
    TimeProvider clock,
    ILogger<StuckRunSweeper> logger) : BackgroundService
{
    public const string Principal = "sweeper";

    /// <summary>At most this many runs per look: a backlog is worked off over several looks, in short transactions.</summary>
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The runs are looked at again at the next interval: a failure here (the database away) must not stop the host.
                LogSweepFailed(exception, options.CurrentValue.SweepInterval);
            }

            try
            {
                await Task.Delay(options.CurrentValue.SweepInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Looks once for runs past their deadline and the grace period and asks each to end; returns what it sent.</summary>
    public async Task<IReadOnlyList<ExpirePipelineRun>> SweepAsync(CancellationToken cancellationToken)
    {
        var grace = options.CurrentValue.DeadlineGracePeriod;
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync(cancellationToken);

        if (!await session.Connection.ExecuteScalarAsync<bool>(new CommandDefinition(TryLockSql, transaction: session.Transaction,
                cancellationToken: cancellationToken)))
        {
            await session.CommitAsync(cancellationToken);
            return [];
        }

        // The cut-off is on this process's clock, the one the saga set the deadlines with.
        var rows = await session.Connection.QueryAsync<OverdueRun>(new CommandDefinition(OverdueSql, new
        {
            Cutoff = clock.GetUtcNow() - grace,
            Finals = DeployCodePipelineStateMachine.FinalStateNames,
            BatchSize,
        }, session.Transaction, cancellationToken: cancellationToken));

        var expired = new List<ExpirePipelineRun>();
        foreach (var run in rows)
        {
            var expire = new ExpirePipelineRun
            {
                CorrelationId = run.RunId,
                ModelName = run.ModelName,
                Environment = run.Environment,
                Principal = Principal,
                Step = run.Step,
                // Read from the JSON text, not from timestamptz: the saga compares it with its own to the tick.
                StepDeadlineAt = DateTimeOffset.Parse(run.StepDeadlineAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                GracePeriod = grace,
            };
            await outbox.For(session).Publish(expire, cancellationToken);
            expired.Add(expire);
        }

        await session.CommitAsync(cancellationToken);
        foreach (var expire in expired)
            LogRunSwept(expire.CorrelationId, expire.ModelName, expire.Step, expire.StepDeadlineAt, grace);
        return expired;
    }

    private sealed record OverdueRun(Guid RunId, string Step, string ModelName, string Environment, string StepDeadlineAt);

    private const string TryLockSql = "SELECT pg_try_advisory_xact_lock(hashtext('pipeline.stuck_run_sweeper'))";

    private const string OverdueSql = """
        SELECT correlation_id AS RunId, current_state AS Step, data->>'modelName' AS ModelName, data->>'environment' AS Environment,
               data->>'stepDeadlineAt' AS StepDeadlineAt
        FROM pipeline.deploy_code_pipeline_runs
        WHERE current_state IS NOT NULL AND current_state <> ALL(@Finals)
          AND data->>'stepDeadlineAt' IS NOT NULL AND (data->>'stepDeadlineAt')::timestamptz < @Cutoff
        ORDER BY (data->>'stepDeadlineAt')::timestamptz
        LIMIT @BatchSize
        """;

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Run {RunId} of {ModelName} is stuck in {Step}: its deadline {DeadlineAt:u} passed more than {GracePeriod} ago; asked it to end TimedOut")]
    private partial void LogRunSwept(Guid runId, string modelName, string step, DateTimeOffset deadlineAt, TimeSpan gracePeriod);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not look for stuck pipeline runs; looking again in {Pause}")]
    private partial void LogSweepFailed(Exception exception, TimeSpan pause);
}
