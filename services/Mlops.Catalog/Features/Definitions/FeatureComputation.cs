using System.Globalization;
using Dapper;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Catalog.Features.Definitions;

/// <summary>
/// Computes a feature table version inside PostgreSQL: one INSERT ... SELECT of the rendered expressions over the run's
/// batches, under <see cref="DatabaseAccessPolicy.FeatureComputeRole"/>; then statistics and quality rules in one aggregate
/// query over the new version. Runs in the caller's transaction, so a refused version is rolled back with it.
/// </summary>
public static class FeatureComputation
{
    public const string NumericType = "numeric";
    public const string CategoricalType = "categorical";

    /// <summary>Inserts the version's rows (and its labels, when they come apart) and returns the number of feature rows.</summary>
    public static async Task<long> InsertAsync(DbSession session, FeatureTableSpec spec, int version, IReadOnlyList<Guid> batchIds, string? environment,
        CancellationToken cancellationToken)
    {
        var connection = session.Connection;
        var transaction = session.Transaction!;
        var table = Quoted(spec.Name);
        // The table's owner (this service) lets the compute role insert into it and nothing more; granting again is harmless.
        await connection.ExecuteAsync(new CommandDefinition(
            $"GRANT INSERT ON {table} TO {SqlIdentifier.Quote(DatabaseAccessPolicy.FeatureComputeRole)}", transaction: transaction, cancellationToken: cancellationToken));

        var s = FeatureTableSpec.SourceAlias;
        var columns = new List<string> { SqlIdentifier.Quote(spec.EntityColumn), "version", FeatureTableSpec.EventTimeColumn };
        var values = new List<string>
        {
            $"{s}.{SqlIdentifier.Quote(spec.EntityColumn)}", "@version",
            spec.TimestampColumn is null ? "b.landed_at" : $"CAST({s}.{SqlIdentifier.Quote(spec.TimestampColumn)} AS timestamp with time zone)",
        };
        foreach (var feature in spec.Features)
        {
            columns.Add(SqlIdentifier.Quote(feature.Name));
            values.Add($"CAST({feature.Sql} AS {(feature.Type == FeatureType.Numeric ? "double precision" : "text")})");
        }
        if (spec.LabelSpec is { } label && !spec.SeparateLabels)
        {
            columns.Add(SqlIdentifier.Quote(label.Name));
            values.Add($"CAST({label.Sql} AS double precision)");
        }

        var searchPath = await FeatureTableRegistry.EnterComputeRoleAsync(connection, transaction, cancellationToken);
        var rows = await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO {table} ({string.Join(", ", columns)})
            SELECT {string.Join(", ", values)}
            FROM {SqlIdentifier.QuoteQualified(spec.SourceTable)} AS {s} JOIN raw.batches AS b ON b.batch_id = {s}.batch_id
            WHERE {s}.batch_id = ANY(@batchIds)
            """, new { version, batchIds = batchIds.ToArray() }, transaction, cancellationToken: cancellationToken, commandTimeout: 0));

        if (spec.SeparateLabels && spec.LabelSpec is { } separate)
        {
            var (labelTable, alias) = separate.Source is null ? (spec.SourceTable, s) : (separate.Source, FeatureTableSpec.LabelAlias);
            var time = separate.Timestamp is null ? "lb.landed_at" : $"CAST({alias}.{SqlIdentifier.Quote(separate.Timestamp)} AS timestamp with time zone)";
            // A label from its own table: every batch of it the environment has landed; from the source: the run's batches.
            var where = separate.Source is null ? $"{alias}.batch_id = ANY(@batchIds)" : "lb.environment IS NOT DISTINCT FROM @environment";
            await connection.ExecuteAsync(new CommandDefinition($"""
                INSERT INTO features.labels (table_name, version, entity_id, label_time, label)
                SELECT @name, @version, {alias}.{SqlIdentifier.Quote(separate.EntityColumn)}, {time}, CAST({separate.Sql} AS double precision)
                FROM {SqlIdentifier.QuoteQualified(labelTable)} AS {alias} JOIN raw.batches AS lb ON lb.batch_id = {alias}.batch_id
                WHERE {where} AND {time} IS NOT NULL
                """, new { name = spec.Name, version, batchIds = batchIds.ToArray(), environment }, transaction, cancellationToken: cancellationToken, commandTimeout: 0));
        }
        await FeatureTableRegistry.LeaveComputeRoleAsync(connection, transaction, searchPath, cancellationToken);
        return rows;
    }

    /// <summary>Per-feature statistics of the version and the violations of its quality rules, each one sentence with its numbers.</summary>
    public static async Task<(IReadOnlyList<FeatureStatistics> Statistics, IReadOnlyList<string> Violations)> CheckAsync(DbSession session,
        FeatureTableSpec spec, int version, double defaultMaxNullRate, CancellationToken cancellationToken)
    {
        var select = new List<string> { "count(*)" };
        var parameters = new List<NpgsqlParameter> { new("version", version) };
        var checks = new List<(string Column, bool Numeric)>();
        foreach (var feature in spec.Features)
        {
            var c = SqlIdentifier.Quote(feature.Name);
            select.Add($"count(*) FILTER (WHERE {c} IS NULL)");
            select.Add(feature.Type == FeatureType.Numeric
                ? $"avg({c}), CASE WHEN count({c}) = 1 THEN 0 ELSE stddev_samp({c}) END, min({c}), max({c})"
                : $"count(DISTINCT {c})");
            checks.Add((feature.Name, feature.Type == FeatureType.Numeric));
        }
        var label = spec.SeparateLabels ? null : spec.LabelSpec?.Name;
        if (label is not null)
            select.Add($"count(*) FILTER (WHERE {SqlIdentifier.Quote(label)} IS NULL)");
        for (var i = 0; i < spec.Rules.Count; i++)
        {
            var rule = spec.Rules[i];
            var c = SqlIdentifier.Quote(rule.Column);
            select.Add(rule.Min is null && rule.Max is null ? "0" : $"count(*) FILTER (WHERE {c} < @min{i} OR {c} > @max{i})");
            parameters.Add(new($"min{i}", rule.Min ?? double.NegativeInfinity));
            parameters.Add(new($"max{i}", rule.Max ?? double.PositiveInfinity));
            select.Add(rule.Allowed is null ? "0" : $"count(*) FILTER (WHERE {c} IS NOT NULL AND {c} <> ALL(@allowed{i}))");
            parameters.Add(new($"allowed{i}", (rule.Allowed ?? []).ToArray()));
            select.Add(rule.Unique ? $"count({c}) - count(DISTINCT {c})" : "0");
        }

        await using var command = new NpgsqlCommand($"SELECT {string.Join(", ", select)} FROM {Quoted(spec.Name)} WHERE version = @version",
            session.Connection, session.Transaction);
        command.Parameters.AddRange(parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);

        var ordinal = 0;
        var rows = reader.GetInt64(ordinal++);
        double? Number() => reader.IsDBNull(ordinal) ? null : Convert.ToDouble(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
        var statistics = new List<FeatureStatistics>();
        var violations = new List<string>();
        var nullCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (column, numeric) in checks)
        {
            var missing = reader.GetInt64(ordinal++);
            nullCounts[column] = missing;
            if (numeric)
            {
                var mean = Number(); ordinal++;
                var sd = Number(); ordinal++;
                var min = Number(); ordinal++;
                var max = Number(); ordinal++;
                statistics.Add(new FeatureStatistics
                {
                    Name = column, Type = NumericType, NullRate = Rate(missing, rows), Mean = mean, StandardDeviation = sd, Min = min, Max = max,
                });
            }
            else
            {
                statistics.Add(new FeatureStatistics
                {
                    Name = column, Type = CategoricalType, NullRate = Rate(missing, rows), DistinctValues = checked((int)reader.GetInt64(ordinal++)),
                });
            }
        }
        if (label is not null)
            nullCounts[label] = reader.GetInt64(ordinal++);

        if (rows > 0)
        {
            var limits = spec.Rules.Where(r => r.MaxNullRate is not null).ToDictionary(r => r.Column, r => r.MaxNullRate!.Value, StringComparer.Ordinal);
            foreach (var (column, missing) in nullCounts)
            {
                var limit = limits.GetValueOrDefault(column, spec.MaxNullRate ?? defaultMaxNullRate);
                var rate = Rate(missing, rows);
                if (rate > limit)
                    violations.Add($"{(column == label ? "Label" : "Feature")} {column} is null in {missing} of {rows} rows ({rate * 100:0.0}%), above the {limit * 100:0.0}% limit.");
            }
        }
        foreach (var rule in spec.Rules)
        {
            var outside = reader.GetInt64(ordinal++);
            var disallowed = reader.GetInt64(ordinal++);
            var repeated = reader.GetInt64(ordinal++);
            if (outside > 0)
                violations.Add($"{rule.Column} is outside [{Bound(rule.Min)}, {Bound(rule.Max)}] in {outside} of {rows} rows.");
            if (disallowed > 0)
                violations.Add($"{rule.Column} holds a value other than {string.Join(", ", rule.Allowed!)} in {disallowed} of {rows} rows.");
            if (repeated > 0)
                violations.Add($"{rule.Column} must be unique but {repeated} of its {rows} values repeat another.");
        }
        return (statistics, violations);
    }

    private static string Bound(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "unbounded";

    private static double Rate(long missing, long rows) => rows == 0 ? 0 : (double)missing / rows;

    private static string Quoted(string name) => "features." + SqlIdentifier.Quote(name, "feature table name");
}
