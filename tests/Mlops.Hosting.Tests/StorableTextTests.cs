using Mlops.Hosting.Data;
using Mlops.Testing;
using Npgsql;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_text_is_kept_for_operators
{
    // Built here, not passed as theory data: xunit serialises string data and would itself replace a lone surrogate.
    private static readonly Dictionary<string, (string Text, string Expected)> Cases = new()
    {
        ["U+0000"] = ("dev.ml.ch\0urn", "dev.ml.ch\\u0000urn"),
        ["lone high surrogate"] = ("lone high \uD800 surrogate", "lone high \\ud800 surrogate"),
        ["lone low surrogate"] = ("lone low \uDC00 surrogate", "lone low \\udc00 surrogate"),
        ["high surrogate at the end"] = ("high at the end \uD83D", "high at the end \\ud83d"),
    };

    public static TheoryData<string> Refused => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task What_postgres_refuses_is_escaped_and_then_stored(string kind)
    {
        var (text, expected) = Cases[kind];
        Assert.False(StorableText.IsStorable(text));
        await using var connection = new NpgsqlConnection(TestInfrastructure.PostgresAdminConnectionString);
        await connection.OpenAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => StoreAsync(connection, text));
        Assert.Equal(expected, await StoreAsync(connection, StorableText.Of(text)));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("emoji 😀 is a valid pair")]
    [InlineData("")]
    public void Storable_text_is_left_as_it_is(string text)
    {
        Assert.True(StorableText.IsStorable(text));
        Assert.Same(text, StorableText.Of(text));
    }

    private static async Task<string> StoreAsync(NpgsqlConnection connection, string text)
    {
        await using var command = new NpgsqlCommand("SELECT @text::text || (jsonb_build_object('v', @text::text) ->> 'v' = @text::text)::text", connection);
        command.Parameters.AddWithValue("text", text);
        var result = (string)(await command.ExecuteScalarAsync())!;
        Assert.EndsWith("true", result);
        return result[..^4];
    }
}
