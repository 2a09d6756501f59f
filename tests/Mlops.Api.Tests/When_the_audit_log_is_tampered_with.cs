using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// Someone with direct SQL access (and enough rights to switch the append-only trigger off) edits, deletes or reorders entries:
/// the verifier names the first entry affected. Each test restores what it broke, so the next starts from an intact chain.
/// </summary>
public sealed class When_the_audit_log_is_tampered_with(ApiFixture fixture) : IClassFixture<ApiFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        using var engineer = await fixture.PrincipalAsync("eve-" + Guid.NewGuid().ToString("N")[..6], "ml_engineer");
        for (var i = 0; i < 4; i++)
            await ApiFixture.EnsureAsync(await engineer.PostAsJsonAsync("/api/ingestion/code-released",
                new { modelName = "dev.ml.audited", codeVersion = $"c{i}", trainer = "logistic_regression" }));
        Assert.True((await VerifyAsync()).GetProperty("intact").GetBoolean());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Updates_and_deletes_are_refused_by_the_database()
    {
        var update = await Assert.ThrowsAsync<PostgresException>(() => fixture.Database.ExecuteAsync("UPDATE audit.entries SET principal = 'nobody' WHERE seq = 2"));
        var delete = await Assert.ThrowsAsync<PostgresException>(() => fixture.Database.ExecuteAsync("DELETE FROM audit.entries WHERE seq = 2"));
        var truncate = await Assert.ThrowsAsync<PostgresException>(() => fixture.Database.ExecuteAsync("TRUNCATE audit.entries"));

        Assert.All(new[] { update, delete, truncate }, e => Assert.Contains("append-only", e.MessageText));
        Assert.True((await VerifyAsync()).GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task An_edited_entry_is_named()
    {
        var original = await fixture.Database.ScalarAsync<string>("SELECT principal FROM audit.entries WHERE seq = 3");
        await Tampered("UPDATE audit.entries SET principal = 'mallory' WHERE seq = 3");

        var verdict = await VerifyAsync();

        await Tampered("UPDATE audit.entries SET principal = @original WHERE seq = 3", new { original });
        AssertBroken(verdict, 3, "edited");
    }

    [Fact]
    public async Task An_edit_with_a_recomputed_hash_is_caught_at_the_next_link()
    {
        var original = await fixture.Database.ScalarAsync<string>("SELECT hash FROM audit.entries WHERE seq = 3");
        await Tampered("UPDATE audit.entries SET hash = repeat('f', 64) WHERE seq = 3");

        var verdict = await VerifyAsync();

        await Tampered("UPDATE audit.entries SET hash = @original WHERE seq = 3", new { original });
        Assert.False(verdict.GetProperty("intact").GetBoolean());
        Assert.Equal(3, verdict.GetProperty("firstBadSeq").GetInt64());
    }

    [Fact]
    public async Task A_deleted_entry_is_named()
    {
        await Tampered("CREATE TEMP TABLE kept AS SELECT * FROM audit.entries WHERE seq = 4; DELETE FROM audit.entries WHERE seq = 4; " +
                       "CREATE TABLE public.kept_entry AS SELECT * FROM kept");

        var verdict = await VerifyAsync();

        await Tampered("INSERT INTO audit.entries SELECT * FROM public.kept_entry; DROP TABLE public.kept_entry");
        AssertBroken(verdict, 4, "deleted");
    }

    [Fact]
    public async Task A_deletion_hidden_by_renumbering_is_named()
    {
        var last = await fixture.Database.ScalarAsync<long>("SELECT max(seq) FROM audit.entries");
        await Tampered("""
            CREATE TABLE public.kept_entry AS SELECT * FROM audit.entries WHERE seq = 2;
            DELETE FROM audit.entries WHERE seq = 2;
            UPDATE audit.entries SET seq = seq + 1000000 WHERE seq > 2;
            UPDATE audit.entries SET seq = seq - 1000001 WHERE seq > 1000000;
            """);

        var verdict = await VerifyAsync();

        await Tampered("""
            UPDATE audit.entries SET seq = seq + 1000001 WHERE seq >= 2;
            UPDATE audit.entries SET seq = seq - 1000000 WHERE seq > 1000000;
            INSERT INTO audit.entries SELECT * FROM public.kept_entry; DROP TABLE public.kept_entry;
            """);
        Assert.Equal(last, await fixture.Database.ScalarAsync<long>("SELECT max(seq) FROM audit.entries"));
        AssertBroken(verdict, 2, "deleted");
    }

    [Fact]
    public async Task Reordered_entries_are_named()
    {
        await Tampered(Swap(2, 3));

        var verdict = await VerifyAsync();

        await Tampered(Swap(2, 3));
        AssertBroken(verdict, 2, "reordered");
    }

    private static string Swap(long a, long b) =>
        $"UPDATE audit.entries SET seq = 9000000 WHERE seq = {a}; UPDATE audit.entries SET seq = {a} WHERE seq = {b}; UPDATE audit.entries SET seq = {b} WHERE seq = 9000000;";

    private static void AssertBroken(JsonElement verdict, long seq, string problem)
    {
        Assert.False(verdict.GetProperty("intact").GetBoolean());
        Assert.Equal(seq, verdict.GetProperty("firstBadSeq").GetInt64());
        Assert.Equal(problem, verdict.GetProperty("problem").GetString());
        Assert.Contains(seq.ToString(), verdict.GetProperty("message").GetString());
    }

    private Task Tampered(string sql, object? parameters = null) => fixture.TamperAsync(sql, parameters);

    private async Task<JsonElement> VerifyAsync()
    {
        var response = await fixture.Admin.GetAsync("/api/audit/verify");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
