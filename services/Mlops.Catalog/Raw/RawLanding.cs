using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using Npgsql;
using NpgsqlTypes;

namespace Mlops.Catalog.Raw;

/// <summary>
/// Lands a batch into a registered raw table: the batch's register row, its rows (binary COPY) and the
/// <see cref="RawDataLanded"/> event (an outbox row) in the caller's transaction, so downstream never hears of a batch it
/// cannot read. A file is validated whole while it streams in; one bad value refuses it all, and nothing of it is stored.
/// </summary>
public sealed partial class RawLanding(RawBatches batches, OutboxPublisher publisher, ILogger<RawLanding> logger)
{
    /// <summary>How many problems a refusal lists: enough to fix a file in one go, few enough to read.</summary>
    public const int MaxProblems = 20;

    /// <summary>Lands the rows <paramref name="writeRows"/> writes (in the order of the table's columns, after batch_id) and returns the batch.</summary>
    public async Task<RawBatch> LandAsync(DbSession session, RawTableSchema table, RawBatchHeader header,
        Func<NpgsqlBinaryImporter, CancellationToken, Task<long>> writeRows, CancellationToken cancellationToken = default)
    {
        if (!ModelName.Environments.Contains(header.Environment))
            throw new ArgumentException($"'{header.Environment}' is not an environment: use dev, staging or prod.", nameof(header));
        if (string.IsNullOrWhiteSpace(header.Producer))
            throw new ArgumentException("A batch needs its producer: the pipeline or person that landed it.", nameof(header));

        await batches.RegisterAsync(session, new RawBatch(header.BatchId, table.QualifiedName, 0, header.Producer, header.Description, default, header.Environment),
            cancellationToken);
        long rows;
        await using (var writer = await session.Connection.BeginBinaryImportAsync(CopySql(table), cancellationToken))
        {
            rows = await writeRows(writer, cancellationToken);
            await writer.CompleteAsync(cancellationToken);
        }
        var landedAt = await session.Connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
            "UPDATE raw.batches SET row_count = @rows WHERE batch_id = @BatchId RETURNING landed_at", new { rows, header.BatchId }, session.Transaction,
            cancellationToken: cancellationToken));

        await publisher.For(session).Publish(new RawDataLanded
        {
            Environment = header.Environment,
            Principal = header.Producer,
            BatchId = header.BatchId,
            SourceTable = table.QualifiedName,
            RowCount = rows,
            LandedAt = new DateTimeOffset(landedAt, TimeSpan.Zero),
        }, cancellationToken);

        LogLanded(logger, header.BatchId, rows, table.QualifiedName, header.Environment);
        return new RawBatch(header.BatchId, table.QualifiedName, rows, header.Producer, header.Description, landedAt, header.Environment);
    }

    /// <summary>Lands a CSV or JSON-lines file as it streams in.</summary>
    /// <exception cref="RawFileRefusedException">The file breaks the table's schema; nothing was written.</exception>
    public Task<RawBatch> LandFileAsync(DbSession session, RawTableSchema table, RawBatchHeader header, Stream file, RawFileFormat format,
        CancellationToken cancellationToken = default)
    {
        var records = format == RawFileFormat.Csv
            ? CsvRawRecords.ReadAsync(file, table, cancellationToken)
            : JsonLinesRawRecords.ReadAsync(file, table, cancellationToken);
        return LandAsync(session, table, header, (writer, token) => WriteAsync(writer, table, header.BatchId, records, token), cancellationToken);
    }

    private static async Task<long> WriteAsync(NpgsqlBinaryImporter writer, RawTableSchema table, Guid batchId, IAsyncEnumerable<RawRecord> records,
        CancellationToken cancellationToken)
    {
        var problems = new List<RawProblem>();
        var truncated = false;
        var keyIndexes = table.Key.Select(k => table.Columns.ToList().FindIndex(c => c.Name == k)).ToArray();
        var keys = new Dictionary<string, long>(StringComparer.Ordinal);
        var values = new object?[table.Columns.Count];
        long rows = 0;

        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            if (problems.Count >= MaxProblems)
            {
                truncated = true;
                break;
            }
            if (record.Values is null)
            {
                problems.AddRange(record.Problems);
                if (record.Fatal)
                    break;
                continue;
            }

            var valid = true;
            for (var i = 0; i < table.Columns.Count; i++)
            {
                var column = table.Columns[i];
                values[i] = null;
                if (record.Values[i] is not { } text)
                {
                    if (column.Required)
                    {
                        problems.Add(new RawProblem(record.Line, column.Name, $"required column {column.Name} is empty."));
                        valid = false;
                    }
                }
                else if (RawValues.TryParse(column.Type, text, out var value, out var error))
                    values[i] = value;
                else
                {
                    problems.Add(new RawProblem(record.Line, column.Name, error!));
                    valid = false;
                }
            }
            if (!valid)
                continue;

            var key = string.Join('\u001f', keyIndexes.Select(i => KeyText(values[i])));
            if (!keys.TryAdd(key, record.Line))
            {
                problems.Add(new RawProblem(record.Line, string.Join(",", table.Key),
                    $"the key ({string.Join(", ", table.Key)}) = ({string.Join(", ", keyIndexes.Select(i => KeyText(values[i])))}) is already on line {keys[key]}: a key is unique within a batch."));
                continue;
            }

            rows++;
            // Once the file is refused nothing more is written, but reading goes on to name its other problems.
            if (problems.Count == 0)
                await WriteRowAsync(writer, batchId, values, cancellationToken);
        }

        if (problems.Count == 0 && rows == 0)
            problems.Add(new RawProblem(1, null, "the file holds no rows."));
        if (problems.Count > 0)
            throw new RawFileRefusedException(problems.Take(MaxProblems).ToList(), truncated || problems.Count > MaxProblems);
        return rows;
    }

    private static async Task WriteRowAsync(NpgsqlBinaryImporter writer, Guid batchId, object?[] values, CancellationToken cancellationToken)
    {
        await writer.StartRowAsync(cancellationToken);
        await writer.WriteAsync(batchId, NpgsqlDbType.Uuid, cancellationToken);
        foreach (var value in values)
        {
            var write = value switch
            {
                null => writer.WriteNullAsync(cancellationToken),
                long number => writer.WriteAsync(number, NpgsqlDbType.Bigint, cancellationToken),
                int number => writer.WriteAsync(number, NpgsqlDbType.Integer, cancellationToken),
                double number => writer.WriteAsync(number, NpgsqlDbType.Double, cancellationToken),
                decimal number => writer.WriteAsync(number, NpgsqlDbType.Numeric, cancellationToken),
                bool flag => writer.WriteAsync(flag, NpgsqlDbType.Boolean, cancellationToken),
                string text => writer.WriteAsync(text, NpgsqlDbType.Text, cancellationToken),
                DateTime time => writer.WriteAsync(time, NpgsqlDbType.TimestampTz, cancellationToken),
                DateOnly date => writer.WriteAsync(date, NpgsqlDbType.Date, cancellationToken),
                _ => throw new InvalidOperationException($"No raw column type holds {value.GetType().Name} values."),
            };
            await write;
        }
    }

    private static string KeyText(object? value) => value switch
    {
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };

    private static string CopySql(RawTableSchema table) =>
        $"COPY {SqlIdentifier.QuoteQualified(table.QualifiedName)} ({RawTableSchema.BatchColumn}, " +
        $"{string.Join(", ", table.Columns.Select(c => SqlIdentifier.Quote(c.Name, "column name")))}) FROM STDIN (FORMAT BINARY)";

    [LoggerMessage(Level = LogLevel.Information, Message = "Landed batch {BatchId} of {RowCount} rows into {SourceTable} for {Environment}")]
    private static partial void LogLanded(ILogger logger, Guid batchId, long rowCount, string sourceTable, string environment);
}
