using System.Security.Claims;

namespace Mlops.Api.Identity;

/// <summary>The authenticated principal of a request, as the token handler put it into the claims.</summary>
public sealed record Caller(Guid Id, string Name, IReadOnlyList<string> Roles)
{
    public const string IdClaim = "mlops:principal_id";

    public static readonly Caller Anonymous = new(Guid.Empty, "anonymous", []);

    public static Caller From(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && Guid.TryParse(user.FindFirstValue(IdClaim), out var id)
            ? new Caller(id, user.Identity.Name ?? "", user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList())
            : Anonymous;
}
