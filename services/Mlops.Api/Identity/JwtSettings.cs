namespace Mlops.Api.Identity;

/// <summary>
/// Optional OIDC/JWT bearer tokens from a team's identity provider (Api:Jwt). Off unless an Authority (OIDC discovery) or a
/// signing key is set. The IdP says who the caller is; roles still come from this API's principals, so the JWT's subject
/// (NameClaim) must name a principal an admin created.
/// </summary>
public sealed class JwtSettings
{
    public const string Section = "Api:Jwt";

    /// <summary>The OIDC authority whose discovery document and keys validate tokens.</summary>
    public string? Authority { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Without an authority: the expected issuer, and the RSA public key (PEM) tokens are signed with.</summary>
    public string? Issuer { get; set; }

    public string? SigningKeyPem { get; set; }

    public string Audience { get; set; } = "mlops-api";

    /// <summary>The claim naming the principal (preferred_username, email, sub…).</summary>
    public string NameClaim { get; set; } = "sub";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(SigningKeyPem);
}
