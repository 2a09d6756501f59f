using System.Security.Cryptography;
using Dapper;
using Mlops.Api.Identity;
using Npgsql;

namespace Mlops.Api.Http;

/// <summary>
/// Honours <c>Idempotency-Key</c> on every POST, per principal: the first request claims the key (a row with no status yet),
/// its response is stored once it answers below 500; the same key with the same method, path and body replays that response,
/// with another request it is 422, and while the first is still in flight 409. A failure (5xx or an exception) releases the
/// key, so the client's retry runs the request again.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, NpgsqlDataSource dataSource)
{
    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 200;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Headers.TryGetValue(Header, out var values))
        {
            await next(context);
            return;
        }

        var key = values.ToString();
        if (key.Length is 0 or > MaxKeyLength || key.Any(char.IsControl))
        {
            await ApiProblems.Write(context, StatusCodes.Status400BadRequest, "Invalid request",
                $"{Header} must be 1 to {MaxKeyLength} printable characters.", Header);
            return;
        }

        context.Request.EnableBuffering();
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        context.Request.Body.Position = 0;
        var requestHash = Convert.ToHexStringLower(SHA256.HashData([.. System.Text.Encoding.UTF8.GetBytes($"{context.Request.Method} {context.Request.Path}\n"), .. body.ToArray()]));
        var principalId = Caller.From(context.User).Id;

        await using var connection = await dataSource.OpenConnectionAsync(context.RequestAborted);
        var claimed = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO api.idempotency_keys (principal_id, key, method, path, request_hash) VALUES (@principalId, @key, @method, @path, @requestHash)
            ON CONFLICT DO NOTHING
            """, new { principalId, key, method = context.Request.Method, path = context.Request.Path.Value, requestHash }, cancellationToken: context.RequestAborted)) == 1;

        if (!claimed)
        {
            await ReplayAsync(context, connection, principalId, key, requestHash);
            return;
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next(context);
        }
        catch
        {
            await ReleaseAsync(connection, principalId, key);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        if (context.Response.StatusCode >= 500)
            await ReleaseAsync(connection, principalId, key);
        else
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE api.idempotency_keys SET status_code = @status, content_type = @contentType, body = @body WHERE principal_id = @principalId AND key = @key
                """, new { status = context.Response.StatusCode, contentType = context.Response.ContentType, body = captured.ToArray(), principalId, key },
                cancellationToken: CancellationToken.None));

        captured.Position = 0;
        await captured.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext context, NpgsqlConnection connection, Guid principalId, string key, string requestHash)
    {
        var stored = await connection.QuerySingleOrDefaultAsync<StoredResponse>(new CommandDefinition("""
            SELECT request_hash AS RequestHash, status_code AS StatusCode, content_type AS ContentType, body AS Body
            FROM api.idempotency_keys WHERE principal_id = @principalId AND key = @key
            """, new { principalId, key }, cancellationToken: context.RequestAborted));
        if (stored is null)
        {
            await ApiProblems.Write(context, StatusCodes.Status409Conflict, "Conflict", $"A request with this {Header} just failed; send it again.", Header);
            return;
        }
        if (stored.RequestHash != requestHash)
        {
            await ApiProblems.Write(context, StatusCodes.Status422UnprocessableEntity, "Idempotency key reused",
                $"This {Header} was already used for a different request (method, path or body).", Header);
            return;
        }
        if (stored.StatusCode is not { } status)
        {
            await ApiProblems.Write(context, StatusCodes.Status409Conflict, "Conflict", $"A request with this {Header} is still in progress.", Header);
            return;
        }

        context.Response.StatusCode = status;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (stored.ContentType is not null)
            context.Response.ContentType = stored.ContentType;
        if (stored.Body is { Length: > 0 } bytes)
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static Task ReleaseAsync(NpgsqlConnection connection, Guid principalId, string key) =>
        connection.ExecuteAsync(new CommandDefinition("DELETE FROM api.idempotency_keys WHERE principal_id = @principalId AND key = @key AND status_code IS NULL",
            new { principalId, key }, cancellationToken: CancellationToken.None));

    private sealed class StoredResponse
    {
        public string RequestHash { get; set; } = "";
        public int? StatusCode { get; set; }
        public string? ContentType { get; set; }
        public byte[]? Body { get; set; }
    }
}
