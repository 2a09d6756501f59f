using Dapper;
using Npgsql;

namespace Mlops.Hosting.Audit;

/// <summary>
/// Appends to the hash-chained audit log in the caller's transaction, so an action and its entry commit together. Appenders
/// queue on a transaction-scoped advisory lock: the chain has one order, and the sequence has no gaps a deletion could hide in.
/// Needs no service host, so the admin bootstrap and future CLI commands append the same way.
/// </summary>
public sealed class AuditLog(TimeProvider time)
{
    // An arbitrary constant naming "the audit chain" among advisory locks.
    private const long ChainLock = 0x4D4C4F5053_A1;

    public async Task<AuditEntry> AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditRecord record, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@ChainLock)", new { ChainLock }, transaction, cancellationToken: cancellationToken));
        var last = await connection.QuerySingleOrDefaultAsync<(long Seq, string Hash)?>(new CommandDefinition(
            "SELECT seq, hash FROM audit.entries ORDER BY seq DESC LIMIT 1", transaction: transaction, cancellationToken: cancellationToken));

        var at = AuditChain.Truncate(time.GetUtcNow());
        var previous = last?.Hash ?? AuditChain.Genesis;
        var entry = new AuditEntry
        {
            Seq = (last?.Seq ?? 0) + 1, At = at, Principal = record.Principal, Action = record.Action, Resource = record.Resource, Outcome = record.Outcome,
            Detail = record.Detail, TraceId = record.TraceId, RequestId = record.RequestId, PreviousHash = previous,
        };
        entry = entry with { Hash = AuditChain.HashOf(entry) };

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit.entries (seq, at, principal, action, resource, outcome, detail, trace_id, request_id, previous_hash, hash)
            VALUES (@Seq, @At, @Principal, @Action, @Resource, @Outcome, @Detail, @TraceId, @RequestId, @PreviousHash, @Hash)
            """, entry, transaction, cancellationToken: cancellationToken));
        return entry;
    }
}
