using Microsoft.Extensions.Options;
using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Http;
using Mlops.Api.Identity;
using Mlops.Api.Requests;
using Mlops.Hosting.Data;

namespace Mlops.Api.Endpoints;

/// <summary>Principals and their tokens (admin), and the first-admin bootstrap on an empty database.</summary>
public static partial class PrincipalEndpoints
{
    public static RouteGroupBuilder MapPrincipalEndpoints(this RouteGroupBuilder api, RouteGroupBuilder anonymous)
    {
        anonymous.MapPost("/bootstrap", BootstrapAsync).WithTags("Principals")
            .Produces<IssuedToken>(StatusCodes.Status201Created).Problems(409, 422)
            .WithSummary("Create the first admin and its token; refused (409) once any admin exists");

        var group = api.MapGroup("/principals").WithTags("Principals");
        group.MapGet("/", ListAsync).Answers<IReadOnlyList<PrincipalRecord>>(StatusCodes.Status200OK).WithSummary("Every principal with its roles");
        group.MapPost("/", CreateAsync).Answers<PrincipalRecord>(StatusCodes.Status201Created, 409, 422).WithSummary("Create a user or service principal");
        group.MapGet("/{name}/tokens", TokensAsync).Answers<IReadOnlyList<TokenRecord>>(StatusCodes.Status200OK, 404).WithSummary("A principal's tokens (never the tokens themselves)");
        group.MapPost("/{name}/tokens", IssueAsync).Answers<IssuedToken>(StatusCodes.Status201Created, 404, 409, 422)
            .WithSummary("Issue a token: shown once in the response, stored only as its SHA-256");
        group.MapPost("/{name}/tokens/{tokenId:guid}/revoke", RevokeAsync).Answers<TokenRecord>(StatusCodes.Status200OK, 404, 409, 422).WithSummary("Revoke a token");
        return api;
    }

    private static async Task<IResult> BootstrapAsync(BootstrapRequest request, AdminBootstrap bootstrap, IOptions<ApiOptions> options, RequestAudit audit,
        CancellationToken cancellationToken)
    {
        var name = PrincipalName(request.Name, "name");
        if (!options.Value.AllowBootstrap)
            throw new ApiProblemException(StatusCodes.Status403Forbidden, "Forbidden", "Bootstrapping over HTTP is switched off (Api:AllowBootstrap).");
        var record = audit.Record("identity.bootstrap", "principal:" + name);
        var token = await bootstrap.BootstrapAsync(name, options.Value.DefaultTokenLifetime, "bootstrap", record.TraceId, record.RequestId, cancellationToken)
            ?? throw ApiProblemException.Conflict("An admin already exists: ask an admin for a token.");
        return Results.Created($"/api/principals/{name}/tokens", token);
    }

    private static async Task<IResult> ListAsync(AccessGuard guard, IdentityStore identities, DbSession session, CancellationToken cancellationToken)
    {
        await guard.DemandAsync("principals.list", Permissions.PrincipalsManage, Permissions.AnyCatalog, "principals", cancellationToken);
        await session.BeginAsync(cancellationToken);
        return Results.Ok(await identities.ListPrincipalsAsync(session.Connection, cancellationToken));
    }

    private static async Task<IResult> CreateAsync(CreatePrincipalRequest request, AccessGuard guard, IdentityStore identities, RequestAudit audit,
        DbSession session, CancellationToken cancellationToken)
    {
        var name = PrincipalName(request.Name, "name");
        var kind = request.Kind ?? PrincipalKinds.User;
        if (kind is not (PrincipalKinds.User or PrincipalKinds.Service))
            throw ApiProblemException.Invalid("kind", "kind is user or service.");
        var roles = request.Roles ?? [];
        for (var i = 0; i < roles.Count; i++)
            if (!Roles.All.Contains(roles[i]))
                throw ApiProblemException.Invalid($"roles[{i}]", $"'{roles[i]}' is not a role: use {string.Join(", ", Roles.All)}.");

        var resource = "principal:" + name;
        await guard.DemandAsync("principal.create", Permissions.PrincipalsManage, Permissions.AnyCatalog, resource, cancellationToken);
        await session.BeginAsync(cancellationToken);
        var created = await identities.CreatePrincipalAsync(session.Connection, session.Transaction, name, kind, roles.Distinct().ToList(), guard.Caller.Name,
            cancellationToken) ?? throw ApiProblemException.Conflict($"A principal named {name} already exists.", "name");
        await audit.AppendAsync(session, "principal.create", resource, $"{kind} with roles {string.Join(",", created.Roles)}", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Created($"/api/principals/{name}", created);
    }

    private static async Task<IResult> TokensAsync(string name, AccessGuard guard, IdentityStore identities, DbSession session, CancellationToken cancellationToken)
    {
        var principalName = PrincipalName(name, "name");
        await guard.DemandAsync("tokens.list", Permissions.PrincipalsManage, Permissions.AnyCatalog, "principal:" + principalName, cancellationToken);
        await session.BeginAsync(cancellationToken);
        var principal = await FindAsync(identities, session, principalName, cancellationToken);
        return Results.Ok(await identities.ListTokensAsync(session.Connection, principal.Id, cancellationToken));
    }

    private static async Task<IResult> IssueAsync(string name, CreateTokenRequest request, AccessGuard guard, IdentityStore identities, RequestAudit audit,
        DbSession session, IOptions<ApiOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var principalName = PrincipalName(name, "name");
        var description = Input.Text(request.Description, "description", 200);
        var lifetime = request.ExpiresInDays is { } days ? TimeSpan.FromDays(days) : options.Value.DefaultTokenLifetime;
        if (request.ExpiresInDays is <= 0 || lifetime > options.Value.MaxTokenLifetime)
            throw ApiProblemException.Invalid("expiresInDays", $"expiresInDays must be between 1 and {(int)options.Value.MaxTokenLifetime.TotalDays}.");

        var resource = "principal:" + principalName;
        await guard.DemandAsync("token.issue", Permissions.PrincipalsManage, Permissions.AnyCatalog, resource, cancellationToken);
        await session.BeginAsync(cancellationToken);
        var principal = await FindAsync(identities, session, principalName, cancellationToken);
        var token = await identities.IssueTokenAsync(session.Connection, session.Transaction, principal, description, time.GetUtcNow() + lifetime,
            guard.Caller.Name, cancellationToken);
        await audit.AppendAsync(session, "token.issue", resource, $"token {token.TokenId} until {token.ExpiresAt:O}", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Created($"/api/principals/{principalName}/tokens", token);
    }

    private static async Task<IResult> RevokeAsync(string name, Guid tokenId, AccessGuard guard, IdentityStore identities, RequestAudit audit, DbSession session,
        CancellationToken cancellationToken)
    {
        var principalName = PrincipalName(name, "name");
        var resource = "principal:" + principalName;
        await guard.DemandAsync("token.revoke", Permissions.PrincipalsManage, Permissions.AnyCatalog, resource, cancellationToken);
        await session.BeginAsync(cancellationToken);
        var principal = await FindAsync(identities, session, principalName, cancellationToken);
        if (!await identities.RevokeTokenAsync(session.Connection, session.Transaction, principal.Id, tokenId, guard.Caller.Name, cancellationToken))
            throw ApiProblemException.NotFound("tokenId", $"{principalName} has no token {tokenId}.");
        await audit.AppendAsync(session, "token.revoke", resource, $"token {tokenId}", cancellationToken);
        await session.CommitAsync(cancellationToken);
        var tokens = await identities.ListTokensAsync(session.Connection, principal.Id, cancellationToken);
        return Results.Ok(tokens.Single(t => t.Id == tokenId));
    }

    private static async Task<PrincipalRecord> FindAsync(IdentityStore identities, DbSession session, string name, CancellationToken cancellationToken) =>
        await identities.FindPrincipalAsync(session.Connection, session.Transaction, name, cancellationToken)
            ?? throw ApiProblemException.NotFound("name", $"There is no principal {name}.");

    public static string PrincipalName(string? value, string field)
    {
        if (string.IsNullOrEmpty(value) || !NamePattern().IsMatch(value))
            throw ApiProblemException.Invalid(field, $"'{value}' is not a principal name: 1 to 100 lower-case letters, digits, '.', '_', '@', '-', starting with a letter or digit.");
        return value;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9][a-z0-9._@-]{0,99}\\z")]
    private static partial System.Text.RegularExpressions.Regex NamePattern();
}
