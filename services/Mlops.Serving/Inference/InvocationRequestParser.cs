using System.Text.Json;
using Mlops.Catalog.Models;

namespace Mlops.Serving.Inference;

/// <summary>
/// Reads the request shapes Databricks and MLflow serving accept — <c>dataframe_records</c>, <c>dataframe_split</c>,
/// <c>inputs</c> (records or columns) and <c>instances</c> — into rows aligned with the model's signature, checking every
/// value: a missing column, a value of the wrong type, a non-finite number or a string the inference log could not store
/// (U+0000, invalid Unicode) is refused with the column named, and so is a top-level key that is not one of the shapes.
/// Columns the model does not use are ignored; null is accepted and imputed by the model.
/// A row may leave inputs out when it carries the entity key of the model's online feature table (<c>entityColumn</c>, an
/// integer): the missing inputs are then looked up by that key, and the inputs it does carry override the stored ones.
/// </summary>
public static class InvocationRequestParser
{
    /// <summary>
    /// The request's rows. Without <paramref name="entityColumn"/> a row missing an input is refused with
    /// <see cref="MissingColumnException"/>; with it, such a row must carry that key.
    /// </summary>
    public static InvocationRows Parse(JsonElement body, IReadOnlyList<SignatureColumn> inputs, int maxRows, string? entityColumn = null)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw new InvalidRequestException("The request body must be a JSON object with one of dataframe_records, dataframe_split, inputs or instances.");

        var formats = new List<JsonProperty>(1);
        foreach (var property in body.EnumerateObject())
        {
            if (property.Name is not ("dataframe_records" or "dataframe_split" or "inputs" or "instances"))
                throw new InvalidRequestException(
                    $"Unknown field '{Truncate(property.Name)}': the request takes exactly one of dataframe_records, dataframe_split, inputs or instances.");
            formats.Add(property);
        }
        if (formats.Count != 1)
            throw new InvalidRequestException(formats.Count == 0
                ? "The request must carry one of dataframe_records, dataframe_split, inputs or instances."
                : $"The request carries {string.Join(" and ", formats.Select(f => f.Name))}; send exactly one.");

        var format = formats[0];
        var rows = format.Name switch
        {
            "dataframe_split" => FromSplit(format.Value, inputs, maxRows, entityColumn),
            _ when format.Value.ValueKind == JsonValueKind.Object && format.Name == "inputs" => FromColumns(format.Value, inputs, maxRows, entityColumn),
            _ => FromRecords(format.Name, format.Value, inputs, maxRows, entityColumn),
        };
        if (rows.Rows.Count == 0)
            throw new InvalidRequestException($"{format.Name} holds no rows.");
        return rows;
    }

    private static InvocationRows FromRecords(string name, JsonElement records, IReadOnlyList<SignatureColumn> inputs, int maxRows, string? entityColumn)
    {
        if (records.ValueKind != JsonValueKind.Array)
            throw new InvalidRequestException($"{name} must be an array of records (objects of column: value).");
        CheckCount(records.GetArrayLength(), maxRows);

        var rows = new List<object?[]>(records.GetArrayLength());
        long?[]? keys = null;
        var index = 0;
        foreach (var record in records.EnumerateArray())
        {
            if (record.ValueKind != JsonValueKind.Object)
                throw new InvalidRequestException($"{name}[{index}] is not a record (an object of column: value).");
            var row = new object?[inputs.Count];
            string? missing = null;
            for (var c = 0; c < inputs.Count; c++)
            {
                if (!record.TryGetProperty(inputs[c].Name, out var value))
                {
                    missing ??= inputs[c].Name;
                    row[c] = InvocationRows.Missing;
                    continue;
                }
                row[c] = Convert(value, inputs[c], $"{name}[{index}].{inputs[c].Name}");
            }
            if (missing is not null)
            {
                keys ??= new long?[records.GetArrayLength()];
                JsonElement key = default;
                var hasKey = entityColumn is not null && record.TryGetProperty(entityColumn, out key);
                keys[index] = EntityKey(key, hasKey, entityColumn, $"{name}[{index}] has no column '{missing}'", $"{name}[{index}].{entityColumn}");
            }
            rows.Add(row);
            index++;
        }
        return new InvocationRows(rows, keys);
    }

    private static InvocationRows FromSplit(JsonElement split, IReadOnlyList<SignatureColumn> inputs, int maxRows, string? entityColumn)
    {
        if (split.ValueKind != JsonValueKind.Object
            || !split.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array
            || !split.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new InvalidRequestException("dataframe_split must be an object with a 'columns' array and a 'data' array of rows.");

        var names = columns.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : "").ToList();
        var positions = inputs.Select(input => names.IndexOf(input.Name)).ToArray();
        var missing = Array.IndexOf(positions, -1) is var m and >= 0 ? $"dataframe_split has no column '{inputs[m].Name}'" : null;
        var keyPosition = missing is not null && entityColumn is not null ? names.IndexOf(entityColumn) : -1;
        if (missing is not null)
            EntityKeyColumn(keyPosition >= 0, entityColumn, missing);
        CheckCount(data.GetArrayLength(), maxRows);

        var rows = new List<object?[]>(data.GetArrayLength());
        var keys = missing is null ? null : new long?[data.GetArrayLength()];
        var index = 0;
        foreach (var values in data.EnumerateArray())
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() != names.Count)
                throw new InvalidRequestException($"dataframe_split.data[{index}] must be an array of {names.Count} values, one per column.");
            var row = new object?[inputs.Count];
            for (var c = 0; c < inputs.Count; c++)
                row[c] = positions[c] < 0 ? InvocationRows.Missing : Convert(values[positions[c]], inputs[c], $"dataframe_split.data[{index}].{inputs[c].Name}");
            if (keys is not null)
                keys[index] = Key(values[keyPosition], $"dataframe_split.data[{index}].{entityColumn}");
            rows.Add(row);
            index++;
        }
        return new InvocationRows(rows, keys);
    }

    private static InvocationRows FromColumns(JsonElement columns, IReadOnlyList<SignatureColumn> inputs, int maxRows, string? entityColumn)
    {
        JsonElement? Column(string name) =>
            !columns.TryGetProperty(name, out var values) ? null
            : values.ValueKind == JsonValueKind.Array ? values
            : throw new InvalidRequestException($"inputs has no array for column '{name}', which the model requires.");

        var arrays = inputs.Select(input => Column(input.Name)).ToArray();
        var missing = Array.FindIndex(arrays, a => a is null) is var m and >= 0 ? $"inputs has no array for column '{inputs[m].Name}'" : null;
        var keyArray = missing is not null && entityColumn is not null ? Column(entityColumn) : null;
        if (missing is not null)
            EntityKeyColumn(keyArray is not null, entityColumn, missing);

        var named = inputs.Select((input, c) => (name: input.Name, values: arrays[c]))
            .Append((name: entityColumn ?? "", values: keyArray))
            .Where(x => x.values is not null).Select(x => (x.name, values: x.values!.Value)).ToList();
        var count = named[0].values.GetArrayLength();
        var uneven = named.FirstOrDefault(x => x.values.GetArrayLength() != count);
        if (uneven.name is not null)
            throw new InvalidRequestException($"inputs column '{uneven.name}' has {uneven.values.GetArrayLength()} values where '{named[0].name}' has {count}.");
        CheckCount(count, maxRows);

        var rows = new List<object?[]>(count);
        var keys = keyArray is null ? null : new long?[count];
        for (var r = 0; r < count; r++)
        {
            var row = new object?[inputs.Count];
            for (var c = 0; c < inputs.Count; c++)
                row[c] = arrays[c] is { } values ? Convert(values[r], inputs[c], $"inputs.{inputs[c].Name}[{r}]") : InvocationRows.Missing;
            if (keys is not null)
                keys[r] = Key(keyArray!.Value[r], $"inputs.{entityColumn}[{r}]");
            rows.Add(row);
        }
        return new InvocationRows(rows, keys);
    }

    /// <summary>The key of a row that left out an input (<paramref name="missing"/> says which), or why the row is refused.</summary>
    private static long EntityKey(JsonElement value, bool found, string? entityColumn, string missing, string where)
    {
        EntityKeyColumn(found, entityColumn, missing);
        return Key(value, where);
    }

    /// <summary>Refuses a request that leaves an input out without the entity key to look it up by.</summary>
    private static void EntityKeyColumn(bool found, string? entityColumn, string missing)
    {
        if (entityColumn is null)
            throw new MissingColumnException($"{missing}, which the model requires.");
        if (!found)
            throw new InvalidRequestException($"{missing}, which the model requires, and no entity key '{entityColumn}' to look its features up by.");
    }

    /// <summary>An entity key is a bigint, sent as a JSON integer: 42, not "42", 42.0, 4.2 or null.</summary>
    private static long Key(JsonElement value, string where) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var key)
            ? key
            : throw new InvalidRequestException($"{where} must be an integer entity key (a bigint), not {Describe(value)}.");

    private static object? Convert(JsonElement value, SignatureColumn column, string where)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return column.Type == SignatureColumn.Double ? double.NaN : null;

        if (column.Type == SignatureColumn.Double)
        {
            if (value.ValueKind != JsonValueKind.Number)
                throw new InvalidRequestException($"{where} must be a number, not {Describe(value)}.");
            if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
                throw new InvalidRequestException($"{where} is not a finite number.");
            return number;
        }

        return value.ValueKind == JsonValueKind.String
            ? Text(value, where)
            : throw new InvalidRequestException($"{where} must be a string, not {Describe(value)}.");
    }

    /// <summary>
    /// The string, if PostgreSQL can store it: text and jsonb refuse U+0000 and invalid Unicode (lone surrogates, bytes that
    /// are not UTF-8), so such a row would be refused by the inference log after the caller got its prediction.
    /// </summary>
    private static string Text(JsonElement value, string where)
    {
        var text = TryGetText(value)
            ?? throw new InvalidRequestException($"{where} is not valid Unicode text (a lone UTF-16 surrogate escape or bytes that are not UTF-8).");
        if (text.Contains('\0'))
            throw new InvalidRequestException($"{where} contains the character U+0000 (NUL), which cannot be stored; remove it.");
        return text;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => TryGetText(value) is { } text ? $"the string \"{Truncate(text)}\"" : "a string that is not valid Unicode",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string? TryGetText(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static void CheckCount(int count, int maxRows)
    {
        if (count > maxRows)
            throw new InvalidRequestException($"The request has {count} rows; at most {maxRows} are accepted per request.");
    }
}
