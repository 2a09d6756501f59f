using System.Globalization;
using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Http;
using Mlops.Api.Requests;
using Mlops.Api.Responses;
using Mlops.Catalog.Features;
using Mlops.Hosting.Data;

namespace Mlops.Api.Endpoints;

/// <summary>
/// Feature table time travel (docs/environments.md, "Restoring a feature table"): a table's versions in one environment,
/// one version's rows as of a version number or a timestamp, and a restore, which writes a new version copying an earlier
/// one's rows. Reads need catalog.read in the environment (prod reads are audited), a restore catalog.write there.
/// </summary>
public static class FeatureEndpoints
{
    public static RouteGroupBuilder MapFeatureEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/features").WithTags("Features");
        group.MapGet("/{table}/versions", VersionsAsync).Answers<IReadOnlyList<FeatureVersionView>>(StatusCodes.Status200OK)
            .WithSummary("A feature table's versions in one environment, newest first, each with what it was restored from, if anything");
        group.MapGet("/{table}/as-of", AsOfAsync).Answers<FeatureVersionRows>(StatusCodes.Status200OK, 404)
            .WithSummary("A version as of its number (version=N) or a timestamp (timestamp=T: the newest created at or before T), with a page of its rows");
        group.MapPost("/{table}/restore", RestoreAsync).Answers<FeatureVersionView>(StatusCodes.Status201Created, 404, 409)
            .WithSummary("Restore a table in one environment to an earlier version: a new version with a copy of its rows (needs catalog.write there)");
        return api;
    }

    private static async Task<IResult> VersionsAsync(string table, string? environment, int? limit, AccessGuard guard, FeatureTimeTravel timeTravel,
        RequestAudit audit, DbSession session, CancellationToken cancellationToken)
    {
        var name = Input.Identifier(table, "table");
        var env = Input.Environment(environment, "environment");
        var max = Input.Limit(limit);
        var resource = Resource(name);
        await guard.DemandAsync("features.versions", Permissions.CatalogRead, env, resource, cancellationToken);

        var versions = await timeTravel.HistoryAsync(name, env, max, cancellationToken);
        if (env == "prod")
            await ModelEndpoints.AuditReadAsync(session, audit, "features.versions", resource, $"{versions.Count} versions", cancellationToken);
        return Results.Ok(versions.Select(FeatureVersionView.From).ToList());
    }

    private static async Task<IResult> AsOfAsync(string table, string? environment, int? version, DateTimeOffset? timestamp, long? after, int? limit,
        AccessGuard guard, FeatureTimeTravel timeTravel, RequestAudit audit, DbSession session, CancellationToken cancellationToken)
    {
        var name = Input.Identifier(table, "table");
        var env = Input.Environment(environment, "environment");
        CheckAsOf(version, timestamp);
        var max = Input.Limit(limit, fallback: 100);
        await guard.DemandAsync("features.read", Permissions.CatalogRead, env, Resource(name), cancellationToken);

        var found = await ResolveAsync(timeTravel, name, env, version, timestamp, cancellationToken);
        var page = await timeTravel.ReadRowsAsync(name, found.Version.Version, after, max, cancellationToken);
        if (env == "prod")
            await ModelEndpoints.AuditReadAsync(session, audit, "features.read", Resource(name, found.Version.Version),
                $"{page.Rows.Count} rows{(after is { } a ? $" after {a}" : "")}", cancellationToken);
        return Results.Ok(new FeatureVersionRows(FeatureVersionView.From(found), page.Columns, page.Rows, page.NextAfter));
    }

    private static async Task<IResult> RestoreAsync(string table, RestoreFeatureTableRequest request, AccessGuard guard, FeatureTimeTravel timeTravel,
        RequestAudit audit, DbSession session, CancellationToken cancellationToken)
    {
        var name = Input.Identifier(table, "table");
        var env = Input.Environment(request.Environment, "environment");
        CheckAsOf(request.Version, request.Timestamp);
        var reason = Input.Text(request.Reason, "reason", 2000);
        await guard.DemandAsync("features.restore", Permissions.CatalogWrite, env, Resource(name), cancellationToken);

        var source = request.Version is { } number
            ? number
            : (await ResolveAsync(timeTravel, name, env, null, request.Timestamp, cancellationToken)).Version.Version;
        await session.BeginAsync(cancellationToken);
        FeatureVersionEntry restored;
        try
        {
            restored = await timeTravel.RestoreAsync(session, name, env, source, guard.Caller.Name, reason, cancellationToken);
        }
        catch (KeyNotFoundException error)
        {
            throw ApiProblemException.NotFound(error.Message.StartsWith("There is no", StringComparison.Ordinal) ? "table" : "version", error.Message);
        }
        catch (InvalidOperationException error)
        {
            throw ApiProblemException.Conflict(error.Message, "version");
        }
        var asOf = request.Timestamp is { } at ? $"timestamp as of {at.ToString("O", CultureInfo.InvariantCulture)}" : $"version as of {source}";
        await audit.AppendAsync(session, "features.restore", Resource(name, restored.Version.Version), $"{env}: v{source} ({asOf}): {reason}", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Created($"/api/features/{name}/as-of?environment={env}&version={restored.Version.Version}", FeatureVersionView.From(restored));
    }

    private static void CheckAsOf(int? version, DateTimeOffset? timestamp)
    {
        if (version is null == timestamp is null)
            throw ApiProblemException.Invalid("version", "Give exactly one of version (VERSION AS OF) and timestamp (TIMESTAMP AS OF).");
        if (version is <= 0)
            throw ApiProblemException.Invalid("version", "version must be a positive version number.");
    }

    /// <summary>The version asked for, in the environment asked for: a version of another environment is not found here.</summary>
    private static async Task<FeatureVersionEntry> ResolveAsync(FeatureTimeTravel timeTravel, string table, string environment, int? version,
        DateTimeOffset? timestamp, CancellationToken cancellationToken)
    {
        if (version is { } number)
        {
            var found = await timeTravel.FindAsync(table, number, cancellationToken);
            return found is not null && found.Version.Environment == environment
                ? found
                : throw ApiProblemException.NotFound("version", $"Feature table {table} has no version {number} in {environment}.");
        }
        return await timeTravel.AsOfAsync(table, environment, timestamp!.Value, cancellationToken)
            ?? throw ApiProblemException.NotFound("timestamp",
                $"No version of feature table {table} in {environment} was created at or before {timestamp!.Value.ToString("O", CultureInfo.InvariantCulture)}.");
    }

    private static string Resource(string table, int? version = null) => version is { } v ? $"features:{table}@{v}" : $"features:{table}";
}
