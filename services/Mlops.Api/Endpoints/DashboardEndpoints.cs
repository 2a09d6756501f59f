using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Mlops.Api.Authorization;
using Mlops.Api.Dashboard;
using Mlops.Api.Http;
using Mlops.Api.Responses;
using Mlops.Catalog;

namespace Mlops.Api.Endpoints;

/// <summary>
/// The web dashboard: its pages are static files embedded in this assembly and served under /dashboard with no token (they hold
/// no data); every figure they show comes from the token-checked /api endpoints, which the page calls with the token the
/// user signed in with. /api/dashboard/session tells the page who the token belongs to and what it may do.
/// </summary>
public static class DashboardEndpoints
{
    public const string Path = "/dashboard";

    // The pages load nothing from elsewhere (no CDN): only this origin's scripts, styles and API.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IHostApplicationBuilder AddDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.IsValid(), $"Api:Dashboard:TraceUrlTemplate must be an absolute http(s) address containing {DashboardOptions.TraceIdPlaceholder}.")
            .ValidateOnStart();
        return builder;
    }

    public static WebApplication MapDashboard(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapGet("/dashboard/session", Session).WithTags("Dashboard").Answers<DashboardSession>(StatusCodes.Status200OK)
            .WithSummary("Who the token belongs to, what it may do in each catalog, and where trace ids link to");
        if (!app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.Enabled)
            return app;

        var files = new ManifestEmbeddedFileProvider(typeof(DashboardEndpoints).Assembly, "Dashboard/Assets");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Path });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = Path,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // A new deployment's pages take effect at once; they are small.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }

    private static IResult Session(AccessGuard guard, IOptions<DashboardOptions> options)
    {
        var caller = guard.Caller;
        var permissions = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var permission in Permissions.PerCatalog)
            permissions[permission] = ModelName.Environments.Order(StringComparer.Ordinal).Where(catalog => guard.Allows(permission, catalog)).ToList();
        foreach (var permission in Permissions.Global)
            permissions[permission] = guard.Allows(permission, Permissions.AnyCatalog) ? [Permissions.AnyCatalog] : [];
        var template = options.Value.TraceUrlTemplate;
        return Results.Ok(new DashboardSession(caller.Name, caller.Roles, permissions, string.IsNullOrEmpty(template) ? null : template));
    }
}
