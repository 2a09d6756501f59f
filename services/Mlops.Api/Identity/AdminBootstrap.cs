using Dapper;
using Mlops.Api.Audit;
using Npgsql;

namespace Mlops.Api.Identity;

/// <summary>
/// Creates the first admin and its token on a database that has none: the one way in before any token exists. It needs only
/// the database (migrated), so the CLI can run it with its own connection (<c>mlops bootstrap-admin</c>, still to come) and the
/// API offers it as POST /api/bootstrap. Both refuse once any admin exists; concurrent attempts queue on an advisory lock, so
/// exactly one wins.
/// </summary>
public sealed class AdminBootstrap(NpgsqlDataSource dataSource, IdentityStore identities, AuditLog audit, TimeProvider time)
{
    // An arbitrary constant naming "the admin bootstrap" among advisory locks.
    private const long BootstrapLock = 0x4D4C4F5053_B0;

    /// <summary>The new admin's token, or null when an admin already exists (nothing changes then).</summary>
    public async Task<IssuedToken?> BootstrapAsync(string name, TimeSpan tokenLifetime, string by, string? traceId, string? requestId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@BootstrapLock)", new { BootstrapLock }, transaction, cancellationToken: cancellationToken));
        if (await identities.AnyAdminAsync(connection, transaction, cancellationToken))
            return null;

        var principal = await identities.FindPrincipalAsync(connection, transaction, name, cancellationToken);
        if (principal is null)
            principal = await identities.CreatePrincipalAsync(connection, transaction, name, PrincipalKinds.User, [Roles.Admin], by, cancellationToken);
        else
            await identities.GrantAsync(connection, transaction, principal.Id, [Roles.Admin], by, cancellationToken);

        var token = await identities.IssueTokenAsync(connection, transaction, principal!, "bootstrap", time.GetUtcNow() + tokenLifetime, by, cancellationToken);
        await audit.AppendAsync(connection, transaction,
            new AuditRecord(by, "identity.bootstrap", "principal:" + name, AuditOutcomes.Succeeded, $"first admin {name}, token {token.TokenId}", traceId, requestId),
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return token;
    }
}
