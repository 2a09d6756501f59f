using Mlops.Api.Authorization;
using Mlops.Api.Data;
using Mlops.Api.Http;
using Mlops.Api.Responses;
using Mlops.Catalog.Registry;
using Mlops.Api.Audit;
using Mlops.Hosting.Data;

namespace Mlops.Api.Endpoints;

/// <summary>
/// A model's monitoring as Mlops.Monitoring recorded it: drift and performance per window, with thresholds, and the alerts.
/// Readable with catalog.read or models.read in the model's catalog (it describes both the data and the model); a prod read is audited.
/// </summary>
public static class MonitoringEndpoints
{
    /// <summary>How far back a report reaches when the caller gives no <c>from</c>.</summary>
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(30);

    public static RouteGroupBuilder MapMonitoringEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/monitoring").WithTags("Monitoring");
        group.MapGet("/models/{name}", ReportAsync).Answers<MonitoringReport>(StatusCodes.Status200OK, 404)
            .WithSummary("A model's metrics per window (drift per feature, prediction drift, performance) with thresholds, and its alerts, over [from, to)");
        return api;
    }

    private static async Task<IResult> ReportAsync(string name, DateTimeOffset? from, DateTimeOffset? to, int? limit, AccessGuard guard,
        ModelRegistry models, MonitoringQueries monitoring, RequestAudit audit, DbSession session, TimeProvider time, CancellationToken cancellationToken)
    {
        var modelName = Input.Model(name, "name");
        var until = to ?? time.GetUtcNow();
        var since = from ?? until - DefaultSpan;
        if (until < since)
            throw ApiProblemException.Invalid("to", "to is before from.");
        var max = Input.Limit(limit, max: 20_000, fallback: 5000);

        var resource = AuditQueries.ModelResource(modelName.FullName);
        var permission = guard.Allows(Permissions.CatalogRead, modelName.Catalog) ? Permissions.CatalogRead : Permissions.ModelsRead;
        await guard.DemandAsync("monitoring.read", permission, modelName.Catalog, resource, cancellationToken);
        _ = await models.FindModelAsync(modelName.FullName, cancellationToken) ?? throw ApiProblemException.NotFound("name", $"There is no model {modelName}.");

        var points = await monitoring.PointsAsync(modelName.FullName, since, until, max, cancellationToken);
        var alerts = await monitoring.AlertsAsync(modelName.FullName, since, until, 1000, cancellationToken);
        if (modelName.Catalog == "prod")
            await ModelEndpoints.AuditReadAsync(session, audit, "monitoring.read", resource, $"{points.Count} results, {alerts.Count} alerts", cancellationToken);
        return Results.Ok(new MonitoringReport(modelName.FullName, since, until, points, alerts));
    }
}
