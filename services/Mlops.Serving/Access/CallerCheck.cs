using System.Diagnostics;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Identity;

namespace Mlops.Serving.Access;

/// <summary>
/// The serving endpoints' authentication and authorisation step: an <c>mlops_</c> bearer token (401 when missing, malformed,
/// unknown, expired or revoked) whose principal holds <c>models.invoke</c> on the model's catalog per the access matrix (403
/// naming the permission, catalog and resource; audited and counted towards a SecurityAlert like the API's refusals). A
/// successful invocation of a prod model is noted for the production read audit. Names that are not models pass through to
/// the endpoint, which answers them 400.
/// </summary>
public sealed partial class CallerCheck(TokenCache tokens, RefusalRecorder refusals, ProductionReadAudit reads, IOptions<ServingAccessOptions> options,
    TimeProvider time, ILogger<CallerCheck> logger) : IEndpointFilter
{
    public const string Action = "serving.invoke";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var settings = options.Value;
        var http = context.HttpContext;
        if (!settings.Required || !ModelName.TryParse(http.Request.RouteValues["model"] as string, out var model, out _))
            return await next(context);

        var (caller, problem) = await AuthenticateAsync(http);
        if (caller is null)
        {
            LogUnauthenticated(logger, model!.FullName, problem!);
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(problem, http.Request.Path, StatusCodes.Status401Unauthorized, "Unauthorized",
                extensions: new Dictionary<string, object?> { ["field"] = "Authorization", ["traceId"] = TraceId(http) });
        }

        var resource = "model:" + model!.FullName;
        if (!AccessMatrix.Allows(caller.Roles, Permissions.ModelsInvoke, model.Catalog))
        {
            var detail = $"Missing permission {Permissions.ModelsInvoke} in catalog {model.Catalog} for {resource}.";
            await refusals.RecordAsync(new AuditRecord(caller.Name, Action, resource, AuditOutcomes.Denied, detail, TraceId(http), RequestId(http)),
                Permissions.ModelsInvoke, settings.RefusalsBeforeAlert, settings.RefusalWindow, CancellationToken.None);
            return Results.Problem(detail, http.Request.Path, StatusCodes.Status403Forbidden, "Forbidden", extensions: new Dictionary<string, object?>
            {
                ["permission"] = Permissions.ModelsInvoke, ["catalog"] = model.Catalog, ["resource"] = resource, ["traceId"] = TraceId(http),
            });
        }

        var result = await next(context);
        if (model.Catalog == "prod" && HttpMethods.IsPost(http.Request.Method) && http.Response.Headers["X-Model-Version"].ToString() is { Length: > 0 } version)
            await reads.NoteAsync(caller.Name, model.FullName, version, TraceId(http), RequestId(http), http.RequestAborted);
        return result;
    }

    private async Task<(TokenLookup? Caller, string? Problem)> AuthenticateAsync(HttpContext http)
    {
        string? header = http.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
            return (null, "No bearer token: send 'Authorization: Bearer <token>'.");
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return (null, "The Authorization header is not a bearer token.");
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 200)
            return (null, "The bearer token is not valid.");

        var found = await tokens.FindAsync(token, http.RequestAborted);
        return TokenDirectory.Refusal(found, time.GetUtcNow().UtcDateTime) is { } refusal ? (null, refusal) : (found, null);
    }

    private static string TraceId(HttpContext http) => Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;

    // The invocation's X-Request-Id once the endpoint set it, else the caller's, else ASP.NET's.
    private static string RequestId(HttpContext http) =>
        http.Response.Headers["X-Request-Id"].ToString() is { Length: > 0 } served ? served
        : http.Request.Headers["X-Request-Id"].ToString() is { Length: > 0 and <= 200 } given ? given
        : http.TraceIdentifier;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an unauthenticated call to {ModelName}: {Reason}")]
    private static partial void LogUnauthenticated(ILogger logger, string modelName, string reason);
}
