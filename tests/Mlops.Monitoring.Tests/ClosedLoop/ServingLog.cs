using System.Globalization;
using Dapper;
using Mlops.Catalog;
using Mlops.Catalog.Monitoring;
using Mlops.Testing;
using NpgsqlTypes;

namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>Writes what Serving and Training would have: inference log rows (binary COPY, as Serving does) and reference profiles.</summary>
public sealed class ServingLog(TestDatabase database)
{
    /// <summary>Writes the rows as one log batch; returns how many were written.</summary>
    public async Task<int> WriteAsync(Guid batchId, string modelName, IEnumerable<LoggedPrediction> rows)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var writer = await connection.BeginBinaryImportAsync("""
            COPY serving.inference_log (log_batch_id, request_id, row_index, model_name, model_version, shadow, features, prediction, latency_ms, served_at)
            FROM STDIN (FORMAT BINARY)
            """);
        var count = 0;
        foreach (var row in rows)
        {
            await writer.StartRowAsync();
            await writer.WriteAsync(batchId, NpgsqlDbType.Uuid);
            await writer.WriteAsync(row.RequestId, NpgsqlDbType.Uuid);
            await writer.WriteAsync(row.RowIndex, NpgsqlDbType.Integer);
            await writer.WriteAsync(modelName, NpgsqlDbType.Text);
            await writer.WriteAsync(row.Version, NpgsqlDbType.Integer);
            await writer.WriteAsync(row.Shadow, NpgsqlDbType.Boolean);
            await writer.WriteAsync(FeaturesJson(row), NpgsqlDbType.Jsonb);
            await writer.WriteAsync(row.Prediction, NpgsqlDbType.Double);
            await writer.WriteAsync(row.LatencyMilliseconds, NpgsqlDbType.Double);
            await writer.WriteAsync(row.ServedAt, NpgsqlDbType.TimestampTz);
            count++;
        }
        await writer.CompleteAsync();
        return count;
    }

    public Task SaveReferenceAsync(string modelName, int version, ReferenceProfile profile) =>
        database.ExecuteAsync("""
            INSERT INTO monitoring.reference_profiles (model_name, version, artifact_sha256, profile) VALUES (@modelName, @version, 'test', @profile::jsonb)
            """, new { modelName, version, profile = CatalogJson.Serialize(profile) });

    private static string FeaturesJson(LoggedPrediction row) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"tenure": {{Number(row.Tenure)}}, "monthly_charges": {{Number(row.MonthlyCharges)}}, "plan": {{(row.Plan is null ? "null" : $"\"{row.Plan}\"")}}}""");

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "null";
}
