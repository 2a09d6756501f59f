using Dapper;
using Npgsql;

namespace Mlops.Hosting.Audit;

/// <summary>
/// Walks the chain in sequence order and names the first entry that breaks it:
/// a gap in the sequence is a deletion; an entry whose own hash does not match its fields was edited; an entry whose
/// previous_hash is not the hash of the entry before it was moved (its predecessor link names an entry elsewhere in the chain)
/// or follows a deleted entry, or one edited with its hash recomputed (the link names nothing left). Deleting the newest entries leaves a shorter valid chain: only an
/// anchor kept outside this database would show that (not built yet, see docs/security.md).
/// </summary>
public sealed class AuditVerifier(NpgsqlDataSource dataSource)
{
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var entries = (await connection.QueryAsync<AuditEntry>(new CommandDefinition("""
            SELECT seq AS Seq, at AS At, principal AS Principal, action AS Action, resource AS Resource, outcome AS Outcome, detail AS Detail,
                   trace_id AS TraceId, request_id AS RequestId, previous_hash AS PreviousHash, hash AS Hash
            FROM audit.entries ORDER BY seq
            """, cancellationToken: cancellationToken))).ToList();
        return Verify(entries);
    }

    public static AuditVerification Verify(IReadOnlyList<AuditEntry> entries)
    {
        var storedHashes = entries.Select(e => e.Hash).ToHashSet(StringComparer.Ordinal);
        var previousHash = AuditChain.Genesis;
        var expectedSeq = 1L;
        foreach (var entry in entries)
        {
            if (entry.Seq != expectedSeq)
                return Broken(entries.Count, expectedSeq, "deleted",
                    $"Entry {expectedSeq} was deleted: the sequence jumps from {expectedSeq - 1} to {entry.Seq}.");
            if (AuditChain.HashOf(entry) != entry.Hash)
                return Broken(entries.Count, entry.Seq, "edited", $"Entry {entry.Seq} was edited: its hash does not match its contents.");
            if (entry.PreviousHash != previousHash)
                return storedHashes.Contains(entry.PreviousHash)
                    ? Broken(entries.Count, entry.Seq, "reordered", $"Entry {entry.Seq} was reordered: it was chained after another entry than {entry.Seq - 1}.")
                    : Broken(entries.Count, entry.Seq, "deleted",
                        $"Entry {entry.Seq} was chained after an entry no longer in the log: an entry before it was deleted, or entry {entry.Seq - 1} was edited and its hash recomputed.");
            previousHash = entry.Hash;
            expectedSeq++;
        }
        return new AuditVerification(true, entries.Count, null, null, $"The audit log is intact: {entries.Count} entries.");
    }

    private static AuditVerification Broken(long count, long seq, string problem, string message) => new(false, count, seq, problem, message);
}
