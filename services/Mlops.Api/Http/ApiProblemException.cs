namespace Mlops.Api.Http;

/// <summary>A request the API refuses with an RFC 9457 problem; <see cref="Field"/> names the input at fault.</summary>
public sealed class ApiProblemException(int status, string title, string detail, string? field = null, IDictionary<string, object?>? extensions = null)
    : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string? Field { get; } = field;

    /// <summary>More members of the problem, e.g. every problem of a refused file with its line and column.</summary>
    public IDictionary<string, object?>? Extensions { get; } = extensions;

    public static ApiProblemException Invalid(string field, string detail) => new(StatusCodes.Status400BadRequest, "Invalid request", detail, field);

    public static ApiProblemException NotFound(string field, string detail) => new(StatusCodes.Status404NotFound, "Not found", detail, field);

    public static ApiProblemException Conflict(string detail, string? field = null) => new(StatusCodes.Status409Conflict, "Conflict", detail, field);
}
