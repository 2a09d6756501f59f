using System.Text;
using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Http;
using Mlops.Catalog.Features.Definitions;
using Mlops.Hosting.Data;

namespace Mlops.Api.Endpoints;

/// <summary>
/// Feature table definitions in YAML (docs/features.md), the body of the request as written. A new table needs
/// catalog.write in dev, where definitions enter like code; changing a table's definition also needs it in every
/// environment that already holds versions of the table, since it changes what their next refresh computes.
/// </summary>
public static class FeatureTableEndpoints
{
    public static RouteGroupBuilder MapFeatureTableEndpoints(this RouteGroupBuilder api)
    {
        api.MapGroup("/features").WithTags("Features")
            .MapPost("/tables", RegisterAsync).Accepts<string>("application/yaml", "text/yaml", "text/plain")
            .Answers<FeatureRegistration>(StatusCodes.Status201Created, 200, 409, 413, 422)
            .WithSummary("Register a feature table from its YAML definition (the request body): 201 for a new table or definition version, 200 when identical");
        return api;
    }

    private static async Task<IResult> RegisterAsync(HttpRequest request, AccessGuard guard, FeatureTableRegistry registry, RequestAudit audit,
        DbSession session, CancellationToken cancellationToken)
    {
        var yaml = await ReadBodyAsync(request, cancellationToken);
        FeatureTableSpec spec;
        try
        {
            var name = FeatureTableDocument.Read(yaml).Name;
            var resource = $"features:{(SqlIdentifier.IsValid(name) ? name : "?")}";
            await guard.DemandAsync("features.registered", Permissions.CatalogWrite, "dev", resource, cancellationToken);
            if (SqlIdentifier.IsValid(name))
                foreach (var environment in await registry.EnvironmentsOfAsync(name!, cancellationToken))
                    await guard.DemandAsync("features.registered", Permissions.CatalogWrite, environment, resource, cancellationToken);
            spec = await registry.CompileAsync(yaml, cancellationToken);
        }
        catch (FeatureDefinitionException refused)
        {
            throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, "Invalid feature table definition", refused.Message, refused.Field);
        }

        await session.BeginAsync(cancellationToken);
        FeatureRegistration registered;
        try
        {
            registered = await registry.RegisterAsync(session, spec, yaml, guard.Caller.Name, cancellationToken);
        }
        catch (InvalidOperationException conflict)
        {
            throw ApiProblemException.Conflict(conflict.Message, "name");
        }
        if (!registered.Changed)
            return Results.Ok(registered);
        await audit.AppendAsync(session, "features.registered", $"features:{registered.Name}",
            $"definition version {registered.DefinitionVersion} from {registered.SourceTable}: {string.Join(", ", registered.Columns)}", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Created($"/api/features/tables/{registered.Name}", registered);
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[FeatureTableDocument.MaxLength + 1];
        var read = 0;
        while (read < buffer.Length && await reader.ReadAsync(buffer.AsMemory(read), cancellationToken) is var count and > 0)
            read += count;
        if (read > FeatureTableDocument.MaxLength)
            throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, "Definition too large",
                $"A feature table definition has at most {FeatureTableDocument.MaxLength} characters.", "body");
        return new string(buffer, 0, read);
    }
}
