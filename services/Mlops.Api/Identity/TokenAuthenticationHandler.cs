using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Mlops.Api.Http;
using Npgsql;

namespace Mlops.Api.Identity;

/// <summary>
/// <c>Authorization: Bearer mlops_…</c>: the token's SHA-256 is looked up; an unknown, expired or revoked token fails, and the
/// challenge answers 401 with problem details saying which (never whose token it was).
/// </summary>
public sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    NpgsqlDataSource dataSource, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "MlopsToken";
    private const string FailureKey = "mlops:auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return Fail("No bearer token: send 'Authorization: Bearer <token>'.");
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Fail("The Authorization header is not a bearer token.");

        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 200)
            return Fail("The bearer token is not valid.");

        await using var connection = await dataSource.OpenConnectionAsync(Context.RequestAborted);
        var found = await TokenDirectory.FindAsync(connection, ApiTokens.Hash(token), Context.RequestAborted);
        if (TokenDirectory.Refusal(found, time.GetUtcNow().UtcDateTime) is { } refusal)
            return Fail(refusal);

        var claims = new List<Claim> { new(Caller.IdClaim, found!.PrincipalId.ToString()), new(ClaimTypes.Name, found.Name), new("mlops:token_id", found.TokenId.ToString()) };
        claims.AddRange(found.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        var identity = new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private AuthenticateResult Fail(string reason)
    {
        Context.Items[FailureKey] = reason;
        return AuthenticateResult.Fail(reason);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var reason = Context.Items[FailureKey] as string ?? "Authentication is required.";
        return ApiProblems.Write(Context, StatusCodes.Status401Unauthorized, "Unauthorized", reason, field: "Authorization");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.Write(Context, StatusCodes.Status403Forbidden, "Forbidden", "This principal may not do this.");
}
