using Dapper;
using Microsoft.Extensions.Options;
using Mlops.Contracts;
using Mlops.Hosting.Data;

namespace Mlops.Monitoring.Windows;

/// <summary>
/// monitoring.ground_truth: labels by (request id, row index), joined to the inference log when a window is evaluated.
/// A different label for a labelled prediction replaces the earlier one (a correction); the windows holding predictions
/// whose label is new or changed are marked, so they are evaluated again. Labels landing again unchanged change nothing.
/// </summary>
public sealed class GroundTruth(WindowStore windows, IOptions<MonitoringOptions> options)
{
    /// <summary>Stores the labels (the last one wins for a prediction labelled twice in one message).</summary>
    public async Task<(int Changed, int WindowsMarked)> StoreAsync(DbSession session, string modelName, IReadOnlyList<GroundTruthLabel> labels,
        CancellationToken cancellationToken)
    {
        var latest = labels.GroupBy(l => (l.RequestId, l.RowIndex)).Select(g => g.Last()).ToList();
        if (latest.Count == 0)
            return (0, 0);

        var changed = (await session.Connection.QueryAsync<(Guid RequestId, int RowIndex)>(new CommandDefinition("""
            INSERT INTO monitoring.ground_truth (request_id, row_index, model_name, label)
            SELECT g.request_id, g.row_index, @ModelName, g.label FROM unnest(@RequestIds, @RowIndexes, @Labels) AS g(request_id, row_index, label)
            ON CONFLICT (request_id, row_index) DO UPDATE SET label = excluded.label, model_name = excluded.model_name, landed_at = now()
            WHERE ground_truth.label IS DISTINCT FROM excluded.label
            RETURNING request_id, row_index
            """, new
            {
                ModelName = modelName,
                RequestIds = latest.Select(l => l.RequestId).ToArray(),
                RowIndexes = latest.Select(l => l.RowIndex).ToArray(),
                Labels = latest.Select(l => l.Label).ToArray(),
            }, session.Transaction, cancellationToken: cancellationToken))).AsList();
        if (changed.Count == 0)
            return (0, 0);

        var marked = await windows.MarkLabelledAsync(session, [.. changed.Select(c => c.RequestId)], [.. changed.Select(c => c.RowIndex)],
            options.Value.WindowSize, cancellationToken);
        return (changed.Count, marked);
    }
}
