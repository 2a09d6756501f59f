using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Mlops.Api.Authorization;

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
                await ApiProblems.Write(context, problem.Status, problem.Title, problem.Message, problem.Field);
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
