using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace Mlops.Catalog.Raw;

/// <summary>
/// Reads a CSV file (RFC 4180, comma-separated, a header row naming the columns, UTF-8) record by record as it streams in.
/// The header decides which column each field is; a column missing from it is null in every row.
/// </summary>
public static class CsvRawRecords
{
    /// <summary>The longest record read, so one endless quoted field cannot take the host's memory.</summary>
    public const int MaxRecordBytes = 1 << 20;

    public static async IAsyncEnumerable<RawRecord> ReadAsync(Stream stream, RawTableSchema schema, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new CsvReaderOptions
        {
            HasHeader = true, Separator = ',', TrackLineNumbers = true, SkipEmptyLines = true, TrimWhitespace = false, AllowLineBreaksInQuotes = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow, MalformedData = CsvMalformedDataHandling.Throw, MaxRecordSize = MaxRecordBytes,
        };
        await using var reader = CsvReader.Create(stream, options, leaveOpen: true);
        var enumerator = Records(reader, schema, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                RawRecord record;
                try
                {
                    if (!await enumerator.MoveNextAsync())
                        yield break;
                    record = enumerator.Current;
                }
                catch (CsvFormatException malformed)
                {
                    record = RawRecord.Refused(Math.Max(malformed.LineNumber, 1), null, $"malformed CSV: {malformed.Message}", fatal: true);
                }
                yield return record;
                if (record.Fatal)
                    yield break;
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
        }
    }

    private static async IAsyncEnumerable<RawRecord> Records(CsvReader reader, RawTableSchema schema, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await reader.ReadHeaderAsync(cancellationToken);
        var headers = reader.Headers.Select((h, i) => i == 0 ? h.TrimStart('\uFEFF') : h).ToList();
        if (headers.Count == 0 || headers is [""])
        {
            yield return RawRecord.Refused(1, null, "the file is empty: a CSV file starts with a header row naming the columns.", fatal: true);
            yield break;
        }

        var problems = new List<RawProblem>();
        var positions = new int[headers.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Count; i++)
        {
            positions[i] = schema.Columns.ToList().FindIndex(c => c.Name == headers[i]);
            if (!seen.Add(headers[i]))
                problems.Add(new RawProblem(1, headers[i], $"column {headers[i]} appears more than once in the header."));
            else if (positions[i] < 0)
                problems.Add(new RawProblem(1, headers[i], $"'{headers[i]}' is not a column of {schema.QualifiedName} (its columns: {string.Join(", ", schema.Columns.Select(c => c.Name))})."));
        }
        problems.AddRange(schema.Columns.Where(c => c.Required && !seen.Contains(c.Name))
            .Select(c => new RawProblem(1, c.Name, $"required column {c.Name} is missing from the header.")));
        if (problems.Count > 0)
        {
            // Without a header that names the table's columns, no field can be read as the right column.
            yield return new RawRecord(1, null, problems, Fatal: true);
            yield break;
        }

        while (await reader.ReadAsync(cancellationToken))
        {
            var line = reader.LineNumber;
            if (reader.FieldCount != headers.Count)
            {
                yield return RawRecord.Refused(line, null, $"the record has {reader.FieldCount} field(s); the header has {headers.Count}.");
                continue;
            }
            var values = new string?[schema.Columns.Count];
            var invalid = new List<RawProblem>();
            for (var i = 0; i < headers.Count; i++)
            {
                var bytes = reader.GetSpan(i);
                if (bytes.IsEmpty)
                    continue;
                if (!Utf8.IsValid(bytes))
                    invalid.Add(new RawProblem(line, headers[i], "the value is not valid UTF-8."));
                else
                    values[positions[i]] = Encoding.UTF8.GetString(bytes);
            }
            yield return invalid.Count > 0 ? new RawRecord(line, null, invalid) : new RawRecord(line, values, []);
        }
    }
}
