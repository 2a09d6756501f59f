using Microsoft.AspNetCore.Mvc;

namespace Mlops.Api.Http;

/// <summary>Writes RFC 9457 problem details; <c>field</c> (and <c>errors</c>) name the input at fault, <c>permission</c> the right missing.</summary>
public static class ApiProblems
{
    public const string ContentType = "application/problem+json";

    public static ProblemDetails Create(HttpContext context, int status, string title, string detail, string? field = null,
        IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Type = $"https://httpwg.org/specs/rfc9110.html#status.{status}",
            Title = title,
            Status = status,
            Detail = detail,
            Instance = context.Request.Path,
        };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        }
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
            problem.Extensions[key] = value;
        problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        return problem;
    }

    public static Task Write(HttpContext context, int status, string title, string detail, string? field = null, IDictionary<string, object?>? extensions = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Create(context, status, title, detail, field, extensions), (System.Text.Json.JsonSerializerOptions?)null, ContentType);
    }
}
