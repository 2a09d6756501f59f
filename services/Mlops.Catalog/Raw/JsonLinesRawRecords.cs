using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Mlops.Catalog.Raw;

/// <summary>
/// Reads a JSON-lines file (one JSON object per line, UTF-8) line by line as it streams in. A property is a column; a
/// column without a property (or with null) is null. A value may be a JSON number, true/false or a string holding the
/// text a CSV field would (large ids and timestamps are often strings).
/// </summary>
public static class JsonLinesRawRecords
{
    /// <summary>The longest line read, so one endless line cannot take the host's memory.</summary>
    public const int MaxLineBytes = 1 << 20;

    public static async IAsyncEnumerable<RawRecord> ReadAsync(Stream stream, RawTableSchema schema, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            long line = 0;
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                while (TryReadLine(ref buffer, result.IsCompleted, out var bytes))
                {
                    line++;
                    if (Parse(bytes, line, schema) is { } record)
                        yield return record;
                }
                if (buffer.Length > MaxLineBytes)
                {
                    yield return RawRecord.Refused(line + 1, null, $"the line is longer than {MaxLineBytes} bytes.", fatal: true);
                    yield break;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                    yield break;
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, bool completed, out ReadOnlySequence<byte> line)
    {
        if (buffer.PositionOf((byte)'\n') is { } end)
        {
            line = buffer.Slice(0, end);
            buffer = buffer.Slice(buffer.GetPosition(1, end));
            return true;
        }
        if (completed && !buffer.IsEmpty)
        {
            line = buffer;
            buffer = buffer.Slice(buffer.End);
            return true;
        }
        line = default;
        return false;
    }

    private static RawRecord? Parse(ReadOnlySequence<byte> bytes, long line, RawTableSchema schema)
    {
        if (bytes.Length > 0 && bytes.Slice(bytes.Length - 1).FirstSpan[0] == (byte)'\r')
            bytes = bytes.Slice(0, bytes.Length - 1);
        if (IsBlank(bytes))
            return null;
        if (line == 1 && bytes.Length >= 3 && bytes.Slice(0, 3).ToArray() is [0xEF, 0xBB, 0xBF])
            bytes = bytes.Slice(3);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException malformed)
        {
            return RawRecord.Refused(line, null, $"the line is not valid JSON: {malformed.Message.Split(" LineNumber:", 2)[0]}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return RawRecord.Refused(line, null, $"the line is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object of column values.");

            var values = new string?[schema.Columns.Count];
            var problems = new List<RawProblem>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var index = IndexOf(schema, property.Name);
                if (!seen.Add(property.Name))
                    problems.Add(new RawProblem(line, property.Name, $"property {property.Name} appears more than once."));
                else if (index < 0)
                    problems.Add(new RawProblem(line, Printable(property.Name),
                        $"'{Printable(property.Name)}' is not a column of {schema.QualifiedName} (its columns: {string.Join(", ", schema.Columns.Select(c => c.Name))})."));
                else
                {
                    var (value, problem) = Text(property.Value);
                    if (problem is not null)
                        problems.Add(new RawProblem(line, property.Name, problem));
                    else
                        values[index] = value;
                }
            }
            return problems.Count > 0 ? new RawRecord(line, null, problems) : new RawRecord(line, values, []);
        }
    }

    private static (string? Value, string? Problem) Text(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return (null, null);
            case JsonValueKind.True or JsonValueKind.False:
                return (value.ValueKind == JsonValueKind.True ? "true" : "false", null);
            case JsonValueKind.Number:
                return (value.GetRawText(), null);
            case JsonValueKind.String:
                try
                {
                    var text = value.GetString();
                    return (string.IsNullOrEmpty(text) ? null : text, null);
                }
                catch (InvalidOperationException)
                {
                    return (null, "the string is not valid UTF-8 or holds an unpaired surrogate escape: not text PostgreSQL can store.");
                }
            default:
                return (null, $"a JSON {value.ValueKind.ToString().ToLowerInvariant()} is not a column value.");
        }
    }

    private static int IndexOf(RawTableSchema schema, string name)
    {
        for (var i = 0; i < schema.Columns.Count; i++)
            if (schema.Columns[i].Name == name)
                return i;
        return -1;
    }

    private static string Printable(string name) => Mlops.Hosting.Data.StorableText.Of(name.Length > 63 ? name[..63] + "…" : name);

    private static bool IsBlank(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
            foreach (var b in segment.Span)
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                    return false;
        return true;
    }
}
