using Dapper;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Hosting.Steps;

/// <summary>
/// steps.step_leases. Recording and completing run in the caller's transaction (with its inbox row, its results and its
/// outbox rows); taking, renewing and releasing are single statements of their own. Every change of a taken lease names
/// its attempt: a worker whose lease was taken over changes nothing.
/// </summary>
public sealed class StepLeaseStore(NpgsqlDataSource dataSource)
{
    public const string Open = "open";
    public const string Done = "done";
    public const string Failed = "failed";

    /// <summary>Records a step to do; false when the run already has a lease for it.</summary>
    public async Task<bool> RecordAsync(DbSession session, Guid runId, string step, string commandType, string command, string? traceParent,
        CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition(RecordSql,
            new { RunId = runId, Step = step, CommandType = commandType, Command = command, TraceParent = traceParent },
            session.Transaction, cancellationToken: cancellationToken)) == 1;

    /// <summary>The lease's status and, once done, the replies it answered with.</summary>
    public Task<(string Status, string? Replies, int Attempt, string? Owner)> FindAsync(DbSession session, Guid runId, string step,
        CancellationToken cancellationToken) =>
        session.Connection.QuerySingleAsync<(string, string?, int, string?)>(new CommandDefinition(FindSql, new { RunId = runId, Step = step },
            session.Transaction, cancellationToken: cancellationToken));

    /// <summary>Opens a failed lease again with the command that asked anew (after a fix, say).</summary>
    public async Task<bool> ReopenAsync(DbSession session, Guid runId, string step, string command, string? traceParent, CancellationToken cancellationToken) =>
        await session.Connection.ExecuteAsync(new CommandDefinition(ReopenSql,
            new { RunId = runId, Step = step, Command = command, TraceParent = traceParent }, session.Transaction, cancellationToken: cancellationToken)) == 1;

    /// <summary>Takes the oldest due lease of <paramref name="step"/> (never taken, released, or expired with its owner), if any.</summary>
    public async Task<StepLease?> TryTakeAsync(string step, string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StepLease>(new CommandDefinition(TakeSql,
            new { Step = step, Owner = owner, Seconds = duration.TotalSeconds }, cancellationToken: cancellationToken));
    }

    /// <summary>Extends the lease; false when it is no longer this attempt's.</summary>
    public async Task<bool> RenewAsync(StepLease lease, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(RenewSql, Key(lease, new { Seconds = duration.TotalSeconds }),
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Marks the lease done first thing in the completing transaction: the row lock keeps every other taker off it until the
    /// transaction ends, and a lease that is no longer this attempt's throws, so its results roll back.
    /// </summary>
    public async Task CompleteAsync(DbSession session, StepLease lease, CancellationToken cancellationToken)
    {
        if (await session.Connection.ExecuteAsync(new CommandDefinition(CompleteSql, Key(lease), session.Transaction,
                cancellationToken: cancellationToken)) != 1)
            throw new StepLeaseLostException(lease);
    }

    public Task SaveRepliesAsync(DbSession session, StepLease lease, string replies, CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition(SaveRepliesSql, Key(lease, new { Replies = replies }), session.Transaction,
            cancellationToken: cancellationToken));

    /// <summary>Gives the lease back, due again after <paramref name="delay"/> (zero: at once, to any instance).</summary>
    public async Task ReleaseAsync(StepLease lease, TimeSpan delay, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(ReleaseSql, Key(lease, new { Seconds = delay.TotalSeconds, Error = error }),
            cancellationToken: cancellationToken));
    }

    /// <summary>Sets the step aside for a reason no retry would change; a new command for the run opens it again.</summary>
    public async Task FailAsync(StepLease lease, string error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(FailSql, Key(lease, new { Error = error }), cancellationToken: cancellationToken));
    }

    public async Task<int> DeleteFinishedAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(DeleteFinishedSql, new { Seconds = retention.TotalSeconds },
            cancellationToken: cancellationToken));
    }

    private static DynamicParameters Key(StepLease lease, object? more = null)
    {
        var parameters = new DynamicParameters(more);
        parameters.AddDynamicParams(new { lease.RunId, lease.Step, lease.Attempt });
        return parameters;
    }

    private const string RecordSql = """
        INSERT INTO steps.step_leases (pipeline_run_id, step, command_type, command, trace_parent)
        VALUES (@RunId, @Step, @CommandType, @Command, @TraceParent)
        ON CONFLICT (pipeline_run_id, step) DO NOTHING
        """;

    private const string FindSql = """
        SELECT status, replies, attempt, owner FROM steps.step_leases WHERE pipeline_run_id = @RunId AND step = @Step
        """;

    private const string ReopenSql = """
        UPDATE steps.step_leases
        SET status = 'open', command = @Command, trace_parent = @TraceParent, owner = NULL, expires_at = now(), finished_at = NULL
        WHERE pipeline_run_id = @RunId AND step = @Step AND status = 'failed'
        """;

    // SKIP LOCKED passes over a lease another worker is taking or completing; re-checked under the row lock, a lease that
    // was renewed or taken meanwhile no longer matches, so two workers never hold one attempt.
    private const string TakeSql = """
        UPDATE steps.step_leases AS lease
        SET owner = @Owner, attempt = lease.attempt + 1, heartbeat_at = now(), expires_at = now() + make_interval(secs => @Seconds)
        FROM (SELECT pipeline_run_id, step FROM steps.step_leases
              WHERE step = @Step AND status = 'open' AND expires_at <= now()
              ORDER BY expires_at
              LIMIT 1
              FOR UPDATE SKIP LOCKED) AS due
        WHERE lease.pipeline_run_id = due.pipeline_run_id AND lease.step = due.step
        RETURNING lease.pipeline_run_id AS RunId, lease.step AS Step, lease.attempt AS Attempt, lease.owner AS Owner,
                  lease.command AS Command, lease.trace_parent AS TraceParent
        """;

    private const string RenewSql = """
        UPDATE steps.step_leases SET heartbeat_at = now(), expires_at = now() + make_interval(secs => @Seconds)
        WHERE pipeline_run_id = @RunId AND step = @Step AND attempt = @Attempt AND status = 'open'
        """;

    private const string CompleteSql = """
        UPDATE steps.step_leases SET status = 'done', finished_at = now(), last_error = NULL
        WHERE pipeline_run_id = @RunId AND step = @Step AND attempt = @Attempt AND status = 'open'
        """;

    private const string SaveRepliesSql = """
        UPDATE steps.step_leases SET replies = @Replies WHERE pipeline_run_id = @RunId AND step = @Step AND attempt = @Attempt
        """;

    private const string ReleaseSql = """
        UPDATE steps.step_leases SET owner = NULL, expires_at = now() + make_interval(secs => @Seconds), last_error = @Error
        WHERE pipeline_run_id = @RunId AND step = @Step AND attempt = @Attempt AND status = 'open'
        """;

    private const string FailSql = """
        UPDATE steps.step_leases SET status = 'failed', last_error = @Error, finished_at = now()
        WHERE pipeline_run_id = @RunId AND step = @Step AND attempt = @Attempt AND status = 'open'
        """;

    private const string DeleteFinishedSql = """
        DELETE FROM steps.step_leases
        WHERE ctid IN (SELECT ctid FROM steps.step_leases WHERE finished_at < now() - make_interval(secs => @Seconds) LIMIT 1000)
        """;
}
