using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Audit;
using Npgsql;

namespace Mlops.Serving.Access;

/// <summary>
/// Audits who scores with which production model version: the first successful invocation per principal, model version and
/// <see cref="ServingAccessOptions.ReadAuditWindow"/> appends one <c>model_version.read</c> entry (in a transaction of its own);
/// later ones within the window append nothing. Per instance: N instances write up to N entries per window. An entry that
/// could not be written is tried again on the principal's next request.
/// </summary>
public sealed partial class ProductionReadAudit(NpgsqlDataSource dataSource, AuditLog audit, IOptions<ServingAccessOptions> options, TimeProvider time,
    ILogger<ProductionReadAudit> logger)
{
    public const string Action = "model_version.read";

    private readonly ConcurrentDictionary<(string Principal, string Model, string Version), DateTimeOffset> _audited = new();

    public async Task NoteAsync(string principal, string model, string version, string? traceId, string? requestId, CancellationToken cancellationToken)
    {
        var key = (principal, model, version);
        var now = time.GetUtcNow();
        if (_audited.TryGetValue(key, out var at) && now - at < options.Value.ReadAuditWindow)
            return;
        // Claimed before the write, so concurrent first requests append once; given back if the write fails.
        if (!(at == default ? _audited.TryAdd(key, now) : _audited.TryUpdate(key, now, at)))
            return;

        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await audit.AppendAsync(connection, transaction, new AuditRecord(principal, Action, $"model:{model}@{version}", AuditOutcomes.Succeeded,
                $"scored through Serving; further reads within {options.Value.ReadAuditWindow} are not audited again", traceId, requestId), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            _audited.TryRemove(KeyValuePair.Create(key, now));
            LogNotAudited(logger, principal, model, version, exception);
        }

        if (_audited.Count > 100_000)
            foreach (var stale in _audited.Where(entry => now - entry.Value >= options.Value.ReadAuditWindow).ToList())
                _audited.TryRemove(stale);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The read of {ModelName} v{Version} by {Principal} could not be audited yet; the next request tries again")]
    private static partial void LogNotAudited(ILogger logger, string principal, string modelName, string version, Exception exception);
}
