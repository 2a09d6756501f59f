using System.Text.Json;
using Mlops.Catalog.Models;

namespace Mlops.Serving.Inference;

/// <summary>
/// Reads the request shapes Databricks and MLflow serving accept — <c>dataframe_records</c>, <c>dataframe_split</c>,
/// <c>inputs</c> (records or columns) and <c>instances</c> — into rows aligned with the model's signature, checking every
/// value: a missing column, a value of the wrong type, a non-finite number or a string the inference log could not store
/// (U+0000, invalid Unicode) is refused with the column named, and so is a top-level key that is not one of the shapes.
/// Columns the model does not use are ignored; null is accepted and imputed by the model.
/// </summary>
public static class InvocationRequestParser
{
    public static IReadOnlyList<object?[]> Parse(JsonElement body, IReadOnlyList<SignatureColumn> inputs, int maxRows)
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
            "dataframe_split" => FromSplit(format.Value, inputs, maxRows),
            _ when format.Value.ValueKind == JsonValueKind.Object && format.Name == "inputs" => FromColumns(format.Value, inputs, maxRows),
            _ => FromRecords(format.Name, format.Value, inputs, maxRows),
        };
        if (rows.Count == 0)
            throw new InvalidRequestException($"{format.Name} holds no rows.");
        return rows;
    }

    private static List<object?[]> FromRecords(string name, JsonElement records, IReadOnlyList<SignatureColumn> inputs, int maxRows)
    {
        if (records.ValueKind != JsonValueKind.Array)
            throw new InvalidRequestException($"{name} must be an array of records (objects of column: value).");
        CheckCount(records.GetArrayLength(), maxRows);

        var rows = new List<object?[]>(records.GetArrayLength());
        var index = 0;
        foreach (var record in records.EnumerateArray())
        {
            if (record.ValueKind != JsonValueKind.Object)
                throw new InvalidRequestException($"{name}[{index}] is not a record (an object of column: value).");
            var row = new object?[inputs.Count];
            for (var c = 0; c < inputs.Count; c++)
            {
                if (!record.TryGetProperty(inputs[c].Name, out var value))
                    throw new InvalidRequestException($"{name}[{index}] has no column '{inputs[c].Name}', which the model requires.");
                row[c] = Convert(value, inputs[c], $"{name}[{index}].{inputs[c].Name}");
            }
            rows.Add(row);
            index++;
        }
        return rows;
    }

    private static List<object?[]> FromSplit(JsonElement split, IReadOnlyList<SignatureColumn> inputs, int maxRows)
    {
        if (split.ValueKind != JsonValueKind.Object
            || !split.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array
            || !split.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new InvalidRequestException("dataframe_split must be an object with a 'columns' array and a 'data' array of rows.");

        var names = columns.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : "").ToList();
        var positions = inputs.Select(input =>
        {
            var position = names.IndexOf(input.Name);
            return position >= 0 ? position : throw new InvalidRequestException($"dataframe_split has no column '{input.Name}', which the model requires.");
        }).ToArray();
        CheckCount(data.GetArrayLength(), maxRows);

        var rows = new List<object?[]>(data.GetArrayLength());
        var index = 0;
        foreach (var values in data.EnumerateArray())
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() != names.Count)
                throw new InvalidRequestException($"dataframe_split.data[{index}] must be an array of {names.Count} values, one per column.");
            var row = new object?[inputs.Count];
            for (var c = 0; c < inputs.Count; c++)
                row[c] = Convert(values[positions[c]], inputs[c], $"dataframe_split.data[{index}].{inputs[c].Name}");
            rows.Add(row);
            index++;
        }
        return rows;
    }

    private static List<object?[]> FromColumns(JsonElement columns, IReadOnlyList<SignatureColumn> inputs, int maxRows)
    {
        var arrays = inputs.Select(input =>
            columns.TryGetProperty(input.Name, out var values) && values.ValueKind == JsonValueKind.Array
                ? values
                : throw new InvalidRequestException($"inputs has no array for column '{input.Name}', which the model requires.")).ToArray();
        var count = arrays[0].GetArrayLength();
        var uneven = inputs.Select((input, c) => (input, length: arrays[c].GetArrayLength())).FirstOrDefault(x => x.length != count);
        if (uneven.input is not null)
            throw new InvalidRequestException($"inputs column '{uneven.input.Name}' has {uneven.length} values where '{inputs[0].Name}' has {count}.");
        CheckCount(count, maxRows);

        var rows = new List<object?[]>(count);
        for (var r = 0; r < count; r++)
        {
            var row = new object?[inputs.Count];
            for (var c = 0; c < inputs.Count; c++)
                row[c] = Convert(arrays[c][r], inputs[c], $"inputs.{inputs[c].Name}[{r}]");
            rows.Add(row);
        }
        return rows;
    }

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
