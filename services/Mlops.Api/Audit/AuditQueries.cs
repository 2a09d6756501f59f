using Dapper;
using Npgsql;

namespace Mlops.Api.Audit;

/// <summary>Reads the audit log: filtered entries (who changed or read model X between two dates) and the compliance report.</summary>
public sealed class AuditQueries(NpgsqlDataSource dataSource)
{
    /// <summary>The resource an entry about a model (or one of its versions: model:name@version) carries.</summary>
    public static string ModelResource(string modelName) => "model:" + modelName;

    public static string VersionResource(string modelName, int version) => $"model:{modelName}@{version}";

    public async Task<IReadOnlyList<AuditEntry>> FindAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var model = query.ModelName is null ? null : ModelResource(query.ModelName);
        var rows = await connection.QueryAsync<AuditEntry>(new CommandDefinition(SelectSql + "\n" + """
            WHERE (@principal::text IS NULL OR principal = @principal)
              AND (@action::text IS NULL OR action = @action)
              AND (@outcome::text IS NULL OR outcome = @outcome)
              AND (@model::text IS NULL OR resource = @model OR starts_with(resource, @model || '@'))
              AND (@from::timestamptz IS NULL OR at >= @from)
              AND (@to::timestamptz IS NULL OR at < @to)
            ORDER BY seq LIMIT @limit
            """, new { query.Principal, query.Action, query.Outcome, model, from = query.From?.UtcDateTime, to = query.To?.UtcDateTime, limit = query.Limit },
            cancellationToken: cancellationToken));
        return rows.ToList();
    }

    public async Task<IReadOnlyList<AuditEntry>> BetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditEntry>(new CommandDefinition(SelectSql + " WHERE at >= @from AND at < @to ORDER BY seq",
            new { from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    private const string SelectSql = """
        SELECT seq AS Seq, at AS At, principal AS Principal, action AS Action, resource AS Resource, outcome AS Outcome, detail AS Detail,
               trace_id AS TraceId, request_id AS RequestId, previous_hash AS PreviousHash, hash AS Hash
        FROM audit.entries
        """;
}
