using System.Globalization;
using System.Text;
using Dapper;
using Mlops.Monitoring.Windows;
using Mlops.Testing;
using Npgsql;
using Xunit;

namespace Mlops.Monitoring.Tests;

/// <summary>
/// <see cref="LoggedFeatures"/> against the SQL extraction it replaced (kept here as the oracle): documents with every
/// kind of value stored as jsonb in a real PostgreSQL, each monitored feature compared value by value, bit for bit.
/// </summary>
public sealed class FeatureExtractionTests : IAsyncLifetime
{
    private static readonly string[] NumericNames =
    [
        "x", "X", "exp", "long", "neg_zero", "str_num", "flag", "nothing", "obj", "arr", "absent_n", "big", "tiny",
        "key \"quoted\"\n\\", "ключ", "a",
    ];

    private static readonly string[] CategoricalNames =
    [
        "c", "C", "s", "c_num", "c_bool", "c_null", "c_obj", "c_arr", "c_absent", "c_empty", "c esc\tkey", "市", "ab",
    ];

    private static readonly string[] Numbers =
    [
        "0", "-0", "-0.0", "1", "-1", "1.5", "1e3", "1E-3", "-2.5e+10", "123456789012345678901234567890", "0.1",
        "3.141592653589793238462643383279502884197", "9007199254740993", "9007199254740995", "1.7976931348623157e308",
        "-1.7976931348623157e308", "4.9e-324", "2.4703282292062328e-324", "2.2250738585072014e-308", "1e-320", "0.30000000000000004",
        "100.000", "5e-1", "12345.6789e-3", "1e22", "1e23", "8.98846567431158e307", "0.000001", "-0.00000000000000000000012",
        "2.2250738585072011e-308", "1.00000000000000011102230246251565404236316680908203125",
    ];

    private static readonly string[] NonNumbers =
    [
        "\"\"", "\"plain\"", "\"with \\\"quotes\\\" and \\\\ backslash\"", "\"tab\\tnewline\\n\\r\\b\\f\"", "\"\\u00e9t\\u00e9\"",
        "\"日本語\"", "\"emoji 😀\"", "\"\\ud83d\\ude00\"", "\"\\u001f control \\u0001\"", "\"/slash\\/\"", "\"123\"", "\"1e3\"",
        "\"true\"", "\"null\"", "\"NaN\"", "\"Infinity\"", "true", "false", "null", "{}", "[]",
        "{\"a\": 1, \"b\": [1, 2.50, {\"c\": null}], \"aa\": \"é\\n\"}", "{\"x\": 5, \"c\": \"nested\", \"X\": {\"x\": 1}}",
        "{\"k\\\"ey\": \"v\\n\", \"\": true}", "[1, \"two\", null, true, {\"x\": 1e2}, [[]]]", "[[[[[[[[[[{\"deep\": [1]}]]]]]]]]]]",
        "[1e400, -1e-400]",
    ];

    /// <summary>Numbers only a categorical feature may carry: as a numeric feature the old query raised on them.</summary>
    private static readonly string[] OutOfDoubleRange = ["1e400", "-1e400", "1e-400", "-1e-400", "1" + new string('0', 400) + ".5"];

    private static readonly string[] ExtraKeys = ["aaa", "zzzzzz", "", "x ", "Xx", "c_", "ccc", "\\u0063"];

    private TestDatabase database = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync("features");
        await database.ExecuteAsync("CREATE TABLE documents (id integer PRIMARY KEY, features jsonb NOT NULL)");
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Every_kind_of_value_is_extracted_as_the_old_sql_extracted_it()
    {
        var documents = Documents().ToList();
        for (var i = 0; i < documents.Count; i++)
            await database.ExecuteAsync("INSERT INTO documents VALUES (@i, @json::jsonb)", new { i, json = documents[i] });

        var compared = await CompareWithOracleAsync(documents.Count);

        Assert.Equal(documents.Count * (NumericNames.Length + CategoricalNames.Length), compared);
    }

    [Fact]
    public async Task A_number_beyond_double_range_is_infinite_or_zero_where_the_old_sql_raised()
    {
        await database.ExecuteAsync("""
            INSERT INTO documents VALUES (1, '{"x": 1e400, "X": -1e400, "exp": 1e-400, "long": -1e-400, "c": 1e400}')
            """);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => CompareWithOracleAsync(1));
        Assert.Equal(PostgresErrorCodes.NumericValueOutOfRange, refused.SqlState);

        var features = await ExtractAsync(1);
        Assert.Equal(double.PositiveInfinity, features.Numeric[0]);
        Assert.Equal(double.NegativeInfinity, features.Numeric[1]);
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.0), BitConverter.DoubleToInt64Bits(features.Numeric[2]));
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(features.Numeric[3]));
        Assert.Equal("1" + new string('0', 400), features.Categorical[0]);
    }

    [Fact]
    public async Task A_document_that_is_not_an_object_has_every_feature_missing()
    {
        string[] documents = ["[1, 2]", "[{\"x\": 1}]", "5", "\"x\"", "null", "true", "{}"];
        for (var i = 0; i < documents.Length; i++)
            await database.ExecuteAsync("INSERT INTO documents VALUES (@i, @json::jsonb)", new { i, json = documents[i] });

        await CompareWithOracleAsync(documents.Length);
        for (var i = 0; i < documents.Length; i++)
        {
            var features = await ExtractAsync(i);
            Assert.All(features.Numeric, v => Assert.True(double.IsNaN(v)));
            Assert.All(features.Categorical, Assert.Null);
        }
    }

    /// <summary>Every document in turn: each feature as the product extracts it and as the old query did. Returns the values compared.</summary>
    private async Task<int> CompareWithOracleAsync(int documents)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(OracleQuery(), connection);
        for (var i = 0; i < NumericNames.Length; i++)
            command.Parameters.AddWithValue($"n{i}", NumericNames[i]);
        for (var i = 0; i < CategoricalNames.Length; i++)
            command.Parameters.AddWithValue($"c{i}", CategoricalNames[i]);

        var extracted = new LoggedFeatures(NumericNames, CategoricalNames);
        var compared = 0;
        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows++;
            var document = reader.GetString(1);
            extracted.Read(reader, 2);
            for (var i = 0; i < NumericNames.Length; i++, compared++)
            {
                var expected = reader.IsDBNull(3 + i) ? double.NaN : reader.GetDouble(3 + i);
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(extracted.Numeric[i]),
                    $"numeric '{NumericNames[i]}' of {document}: expected {expected:R}, extracted {extracted.Numeric[i]:R}");
            }
            for (var i = 0; i < CategoricalNames.Length; i++, compared++)
            {
                var column = 3 + NumericNames.Length + i;
                var expected = reader.IsDBNull(column) ? null : reader.GetString(column);
                Assert.True(string.Equals(expected, extracted.Categorical[i], StringComparison.Ordinal),
                    $"categorical '{CategoricalNames[i]}' of {document}: expected {expected ?? "null"}, extracted {extracted.Categorical[i] ?? "null"}");
            }
        }
        Assert.Equal(documents, rows);
        return compared;
    }

    private async Task<LoggedFeatures> ExtractAsync(int id)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT features FROM documents WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var features = new LoggedFeatures(NumericNames, CategoricalNames);
        features.Read(reader, 0);
        return features;
    }

    /// <summary>The extraction LoggedPredictions ran in PostgreSQL before it read the document itself.</summary>
    private static string OracleQuery()
    {
        var sql = new StringBuilder("SELECT id, features::text, features");
        for (var i = 0; i < NumericNames.Length; i++)
            sql.Append(CultureInfo.InvariantCulture, $", CASE WHEN jsonb_typeof(features -> @n{i}) = 'number' THEN (features ->> @n{i})::double precision END");
        for (var i = 0; i < CategoricalNames.Length; i++)
            sql.Append(CultureInfo.InvariantCulture, $", features ->> @c{i}");
        sql.Append(" FROM documents ORDER BY id");
        return sql.ToString();
    }

    /// <summary>
    /// Documents where each feature is, by a seeded draw, absent or any kind of value (numbers, random decimals and
    /// round-trip doubles, strings, containers), among keys nobody monitors, in any written order.
    /// </summary>
    private static IEnumerable<string> Documents()
    {
        var random = new Random(12);
        for (var d = 0; d < 400; d++)
        {
            var members = new List<string>();
            foreach (var name in NumericNames)
                if (Value(random, numeric: true) is { } value)
                    members.Add($"{Key(name)}: {value}");
            foreach (var name in CategoricalNames)
                if (Value(random, numeric: false) is { } value)
                    members.Add($"{Key(name)}: {value}");
            foreach (var extra in ExtraKeys)
                if (random.Next(3) == 0)
                    members.Add($"\"{extra}\": {NonNumbers[random.Next(NonNumbers.Length)]}");
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(members));
            yield return "{" + string.Join(", ", members) + "}";
        }
    }

    private static string? Value(Random random, bool numeric) => random.Next(8) switch
    {
        0 => null,
        1 or 2 => Numbers[random.Next(Numbers.Length)],
        3 => RandomDecimal(random),
        4 => (random.NextDouble() * Math.Pow(10, random.Next(-300, 300)) * (random.Next(2) == 0 ? -1 : 1)).ToString("R", CultureInfo.InvariantCulture),
        5 when !numeric => OutOfDoubleRange[random.Next(OutOfDoubleRange.Length)],
        _ => NonNumbers[random.Next(NonNumbers.Length)],
    };

    /// <summary>Up to 40 random digits with a random exponent: rounding cases a round-trip double never produces.</summary>
    private static string RandomDecimal(Random random)
    {
        var number = new StringBuilder(random.Next(2) == 0 ? "-" : "");
        number.Append((char)('1' + random.Next(9)));
        for (var i = random.Next(20); i > 0; i--)
            number.Append((char)('0' + random.Next(10)));
        if (random.Next(2) == 0)
        {
            number.Append('.');
            for (var i = random.Next(1, 21); i > 0; i--)
                number.Append((char)('0' + random.Next(10)));
        }
        return number.Append(CultureInfo.InvariantCulture, $"e{random.Next(-280, 280)}").ToString();
    }

    /// <summary>A feature name as a JSON key, escaped (System.Text.Json would escape more than JSON needs; these are all valid).</summary>
    private static string Key(string name) => System.Text.Json.JsonSerializer.Serialize(name);
}
