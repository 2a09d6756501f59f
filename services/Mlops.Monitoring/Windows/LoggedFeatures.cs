using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Mlops.Monitoring.Windows;

/// <summary>
/// Pulls one version's monitored features out of a logged row's features document (jsonb, read as its text) in one
/// <see cref="Utf8JsonReader"/> pass, with what PostgreSQL's operators would have given:
/// <list type="bullet">
/// <item>numeric: the double of a JSON number (its text parsed with correct rounding, as float8in does); NaN (missing)
/// for a string, bool, null, object, array or absent key. Where <c>::double precision</c> would have raised — a number
/// beyond double's range or one that underflows to zero — this gives ±Infinity (the histograms count it apart) or ±0.</item>
/// <item>categorical: what <c>features ->> name</c> gives: the unescaped string of a JSON string, jsonb's text of a
/// number, bool, object or array, null for JSON null or an absent key.</item>
/// </list>
/// One instance per reader of rows (not thread-safe): the row buffer and the result arrays are reused row after row,
/// and nothing is allocated per row but the categorical strings themselves.
/// </summary>
public sealed class LoggedFeatures
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = int.MaxValue };

    /// <summary>Numeric names then categorical names, as UTF-8.</summary>
    private readonly byte[][] names;

    /// <summary>Indexes into <see cref="names"/> in jsonb's key order (shorter first, then bytewise): the order keys come in.</summary>
    private readonly int[] keyOrder;

    private readonly int numericCount;
    private byte[] row = new byte[4096];
    private byte[] key = new byte[256];

    public LoggedFeatures(IReadOnlyList<string> numericNames, IReadOnlyList<string> categoricalNames)
    {
        numericCount = numericNames.Count;
        names = [.. numericNames.Concat(categoricalNames).Select(Encoding.UTF8.GetBytes)];
        keyOrder = [.. Enumerable.Range(0, names.Length)
            .OrderBy(i => names[i].Length)
            .ThenBy(i => names[i], Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))];
        Numeric = new double[numericCount];
        Categorical = new string?[categoricalNames.Count];
    }

    /// <summary>The last row's numeric features, in the order of the names given; NaN when missing.</summary>
    public double[] Numeric { get; }

    /// <summary>The last row's categorical features, in the order of the names given; null when missing.</summary>
    public string?[] Categorical { get; }

    /// <summary>Reads the jsonb column <paramref name="ordinal"/> of the reader's current row into the reused buffer and extracts it.</summary>
    public void Read(NpgsqlDataReader reader, int ordinal)
    {
        // Binary jsonb is a version byte (1) and the document's text; GetBytes copies it without allocating.
        var length = (int)reader.GetBytes(ordinal, 0, null, 0, 0);
        if (length > row.Length)
            row = new byte[Math.Max(length, row.Length * 2)];
        reader.GetBytes(ordinal, 0, row, 0, length);
        if (length == 0 || row[0] != 1)
            throw new InvalidDataException($"Unexpected jsonb binary format version {(length == 0 ? "(empty)" : row[0])}.");
        Read(row.AsSpan(1, length - 1));
    }

    /// <summary>Extracts the monitored features from a document in jsonb's text output (no duplicate keys).</summary>
    public void Read(ReadOnlySpan<byte> json)
    {
        Array.Fill(Numeric, double.NaN);
        Array.Clear(Categorical);

        var reader = new Utf8JsonReader(json, ReaderOptions);
        // `->` with a key on an array or a scalar is null: every feature missing.
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return;

        var cursor = 0;
        var left = names.Length;
        while (left > 0 && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var feature = Match(ref reader, ref cursor);
            reader.Read();
            if (feature < 0)
            {
                reader.Skip();
                continue;
            }

            left--;
            if (feature < numericCount)
            {
                Numeric[feature] = reader.TokenType == JsonTokenType.Number ? ParseDouble(reader.ValueSpan) : double.NaN;
                reader.Skip(); // past an object's or array's end; nothing for a scalar
            }
            else
                Categorical[feature - numericCount] = Text(ref reader, json);
        }
    }

    /// <summary>jsonb prints numbers as plain decimals (numeric's output); .NET parses them correctly rounded, overflow to ±Infinity.</summary>
    private static double ParseDouble(ReadOnlySpan<byte> number) =>
        double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The value as <c>->></c> gives it; containers are the raw slice of jsonb's own text, which is how it prints them.</summary>
    private static string? Text(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]);
            default:
                return null;
        }
    }

    /// <summary>
    /// The index of the monitored feature the property names, or -1. Keys arrive in jsonb's order, so the next name in
    /// <see cref="keyOrder"/> is tried first; any other key falls back to comparing with every name.
    /// </summary>
    private int Match(ref Utf8JsonReader reader, ref int cursor)
    {
        ReadOnlySpan<byte> property = reader.ValueSpan;
        if (reader.ValueIsEscaped)
        {
            if (key.Length < property.Length)
                key = new byte[property.Length];
            property = key.AsSpan(0, reader.CopyString(key));
        }

        if (cursor < keyOrder.Length && property.SequenceEqual(names[keyOrder[cursor]]))
            return keyOrder[cursor++];
        for (var i = 0; i < keyOrder.Length; i++)
        {
            var name = names[keyOrder[i]];
            if (name.Length == property.Length && property.SequenceEqual(name))
            {
                cursor = i + 1;
                return keyOrder[i];
            }
        }
        return -1;
    }
}
