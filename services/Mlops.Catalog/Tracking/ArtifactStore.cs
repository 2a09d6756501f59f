using System.Security.Cryptography;
using Dapper;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Catalog.Tracking;

/// <summary>
/// Content-addressed artifacts: the key is the sha256 of the bytes, identical content is stored once, and every load
/// hashes the bytes again and refuses them if they changed.
/// </summary>
public sealed class ArtifactStore(NpgsqlDataSource dataSource)
{
    public static string Sha256Of(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Stores the content (once) and names it on a tracking run; returns its sha256.</summary>
    public async Task<string> PutAsync(DbSession session, Guid runId, string name, byte[] content, CancellationToken cancellationToken = default)
    {
        var sha256 = Sha256Of(content);
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO tracking.artifact_blobs (sha256, content, size_bytes) VALUES (@sha256, @content, @size)
            ON CONFLICT (sha256) DO NOTHING;
            INSERT INTO tracking.run_artifacts (run_id, name, sha256) VALUES (@runId, @name, @sha256)
            ON CONFLICT (run_id, name) DO UPDATE SET sha256 = excluded.sha256;
            """, new { sha256, content, size = (long)content.Length, runId, name }, session.Transaction, cancellationToken: cancellationToken));
        return sha256;
    }

    /// <summary>The verified content of an artifact; <see cref="ArtifactIntegrityException"/> if it no longer matches its address.</summary>
    public async Task<byte[]> GetAsync(string sha256, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var content = await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(
            "SELECT content FROM tracking.artifact_blobs WHERE sha256 = @sha256", new { sha256 }, cancellationToken: cancellationToken))
            ?? throw new KeyNotFoundException($"No artifact is stored under {sha256}.");

        var actual = Sha256Of(content);
        if (actual != sha256)
            throw new ArtifactIntegrityException(sha256, actual);
        return content;
    }

    public async Task<string?> FindAsync(Guid runId, string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT sha256 FROM tracking.run_artifacts WHERE run_id = @runId AND name = @name", new { runId, name }, cancellationToken: cancellationToken));
    }
}
