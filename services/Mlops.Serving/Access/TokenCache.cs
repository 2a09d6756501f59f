using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Identity;
using Npgsql;

namespace Mlops.Serving.Access;

/// <summary>
/// Token lookups for the scoring hot path: a known token's principal and roles are reused for
/// <see cref="ServingAccessOptions.TokenCacheDuration"/>, so a busy caller costs one identity query per window, not one per request.
/// Unknown tokens are not cached (each costs a query, as in the API), so guessing cannot fill the cache.
/// </summary>
public sealed class TokenCache(NpgsqlDataSource dataSource, IOptions<ServingAccessOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (TokenLookup Token, DateTime FetchedAt)> _tokens = new(StringComparer.Ordinal);

    public async Task<TokenLookup?> FindAsync(string token, CancellationToken cancellationToken)
    {
        var hash = ApiTokens.Hash(token);
        var key = Convert.ToBase64String(hash);
        var now = time.GetUtcNow().UtcDateTime;
        var settings = options.Value;
        if (_tokens.TryGetValue(key, out var cached) && now - cached.FetchedAt < settings.TokenCacheDuration)
            return cached.Token;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var found = await TokenDirectory.FindAsync(connection, hash, cancellationToken);
        if (found is null)
        {
            _tokens.TryRemove(key, out _);
            return null;
        }
        if (_tokens.Count >= settings.TokenCacheSize)
            _tokens.Clear();
        _tokens[key] = (found, now);
        return found;
    }
}
