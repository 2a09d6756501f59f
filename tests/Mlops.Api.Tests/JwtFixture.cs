using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mlops.Api.Tests;

/// <summary>An API that also accepts JWTs from an identity provider, played here by a locally generated RSA key.</summary>
public sealed class JwtFixture : ApiFixture
{
    public const string Issuer = "https://idp.test";
    public const string Audience = "mlops-api";

    public RSA ProviderKey { get; } = RSA.Create(2048);

    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Api:RefusalsBeforeAlert"] = "10000",
        ["Api:Jwt:Issuer"] = Issuer,
        ["Api:Jwt:Audience"] = Audience,
        ["Api:Jwt:SigningKeyPem"] = ProviderKey.ExportSubjectPublicKeyInfoPem(),
    };

    public string Jwt(string subject, RSA? key = null, string issuer = Issuer, string audience = Audience, TimeSpan? expiresIn = null)
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(10));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            IssuedAt = expires < now ? expires.AddHours(-1) : now,
            NotBefore = expires < now ? expires.AddHours(-1) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? ProviderKey), SecurityAlgorithms.RsaSha256),
        });
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        ProviderKey.Dispose();
    }
}
