using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Mlops.Api.Http;
using Npgsql;

namespace Mlops.Api.Identity;

/// <summary>
/// One authentication scheme in front of two: API tokens (<c>Bearer mlops_…</c>) go to <see cref="TokenAuthenticationHandler"/>,
/// any other bearer token to the JWT handler when <see cref="JwtSettings"/> enable it. Either way the request ends up with the
/// same claims: the principal's id, name and roles from the identity schema.
/// </summary>
public static class ApiAuthentication
{
    public const string Scheme = "Mlops";
    public const string JwtScheme = "Jwt";

    public static void AddApiAuthentication(this IHostApplicationBuilder builder)
    {
        var jwt = builder.Configuration.GetSection(JwtSettings.Section).Get<JwtSettings>() ?? new JwtSettings();
        var authentication = builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, null, options => options.ForwardDefaultSelector = context =>
                jwt.Enabled && context.Request.Headers.Authorization.ToString() is { } header
                            && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                            && !header["Bearer ".Length..].TrimStart().StartsWith(ApiTokens.Prefix, StringComparison.Ordinal)
                    ? JwtScheme
                    : TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        if (jwt.Enabled)
            authentication.AddJwtBearer(JwtScheme, options => Configure(options, jwt));
    }

    private static void Configure(JwtBearerOptions options, JwtSettings jwt)
    {
        options.MapInboundClaims = false;
        if (!string.IsNullOrWhiteSpace(jwt.Authority))
        {
            options.Authority = jwt.Authority;
            options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        }
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = !string.IsNullOrWhiteSpace(jwt.Issuer) || !string.IsNullOrWhiteSpace(jwt.Authority),
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            IssuerSigningKey = string.IsNullOrWhiteSpace(jwt.SigningKeyPem) ? null : RsaKey(jwt.SigningKeyPem),
            NameClaimType = jwt.NameClaim,
        };
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context => MapPrincipalAsync(context, jwt),
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await ApiProblems.Write(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized", Describe(context.AuthenticateFailure), "Authorization");
            },
        };
    }

    private static async Task MapPrincipalAsync(TokenValidatedContext context, JwtSettings jwt)
    {
        var name = context.Principal?.FindFirstValue(jwt.NameClaim);
        if (string.IsNullOrEmpty(name))
        {
            context.Fail($"The JWT has no {jwt.NameClaim} claim.");
            return;
        }
        var services = context.HttpContext.RequestServices;
        await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(context.HttpContext.RequestAborted);
        var principal = await services.GetRequiredService<IdentityStore>().FindPrincipalAsync(connection, null, name, context.HttpContext.RequestAborted);
        if (principal is null)
        {
            context.Fail($"The JWT's subject '{name}' is not a principal of this API: an admin must create it first.");
            return;
        }
        var claims = new List<Claim> { new(Caller.IdClaim, principal.Id.ToString()), new(ClaimTypes.Name, principal.Name) };
        claims.AddRange(principal.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, JwtScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    private static string Describe(Exception? failure) => failure switch
    {
        null => "No bearer token: send 'Authorization: Bearer <token>'.",
        SecurityTokenExpiredException => "The JWT has expired.",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "The JWT's signature is not valid.",
        SecurityTokenInvalidAudienceException => "The JWT is not meant for this API (audience).",
        SecurityTokenInvalidIssuerException => "The JWT comes from an issuer this API does not trust.",
        AuthenticationFailureException or InvalidOperationException => failure.Message,
        _ => "The JWT is not valid.",
    };

    private static RsaSecurityKey RsaKey(string pem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new RsaSecurityKey(rsa);
    }
}
