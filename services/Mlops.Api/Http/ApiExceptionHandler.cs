using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;

namespace Mlops.Api.Http;

/// <summary>
/// Turns refusals into problem details: the API's own (<see cref="ApiProblemException"/>, <see cref="AccessDeniedException"/>)
/// and ASP.NET's binding failures (malformed JSON, a query value of the wrong type), naming the field each time.
/// </summary>
public sealed partial class ApiExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case ApiProblemException problem:
                await AuditFailureAsync(context, problem.Message);
                await ApiProblems.Write(context, problem.Status, problem.Title, problem.Message, problem.Field, problem.Extensions);
                return true;
            case AccessDeniedException denied:
                await ApiProblems.Write(context, StatusCodes.Status403Forbidden, "Forbidden", denied.Message, extensions: new Dictionary<string, object?>
                {
                    ["permission"] = denied.Permission, ["catalog"] = denied.Catalog, ["resource"] = denied.Resource,
                });
                return true;
            case BadHttpRequestException bad:
                var (field, detail) = Describe(bad);
                await ApiProblems.Write(context, bad.StatusCode, "Invalid request", detail, field);
                return true;
            case not OperationCanceledException when TransientFailures.IsTransient(exception):
                context.Response.Headers.RetryAfter = "1";
                await ApiProblems.Write(context, StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                    "A transient failure (database or broker unavailable, timeout, serialization failure): nothing was changed; try again.");
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A state-changing request that was authorised and then failed (unknown version, wrong state, name taken) is audited as
    /// failed, in a transaction of its own: the request's rolled back. Input refused before authorisation leaves no entry.
    /// </summary>
    private static async Task AuditFailureAsync(HttpContext context, string detail)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || context.Items[AccessGuard.AuthorizedActionKey] is not (string action, string resource))
            return;
        try
        {
            await using var scope = context.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
            var audit = scope.ServiceProvider.GetRequiredService<RequestAudit>();
            var session = scope.ServiceProvider.GetRequiredService<DbSession>();
            await session.BeginAsync(CancellationToken.None);
            await audit.AppendAsync(session, audit.Record(action, resource, AuditOutcomes.Failed, detail), CancellationToken.None);
            await session.CommitAsync(CancellationToken.None);
        }
        catch (Exception exception) when (TransientFailures.IsTransient(exception))
        {
            // The failed attempt changed nothing; the client still learns why it failed rather than getting a 500.
        }
    }

    private static (string Field, string Detail) Describe(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
            return (field, $"The body is not valid JSON for this request at '{field}': {FirstSentence(json.Message)}");
        }
        var parameter = ParameterPattern().Match(bad.Message);
        if (parameter.Success)
            return (parameter.Groups["name"].Value, bad.Message);
        return ("body", bad.Message);
    }

    private static string FirstSentence(string message) => message.Split(". Path:", 2)[0];

    [GeneratedRegex("parameter \"[^\" ]+ (?<name>[A-Za-z0-9_]+)\"")]
    private static partial Regex ParameterPattern();
}
