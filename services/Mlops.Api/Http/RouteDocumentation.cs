namespace Mlops.Api.Http;

/// <summary>Declares what an endpoint answers, for the OpenAPI document: its success body and its problem responses.</summary>
public static class RouteDocumentation
{
    // Every authenticated endpoint can answer 400 (bad input), 401 (no valid token), 403 (a missing permission) and 503 (a transient failure).
    private static readonly int[] CommonProblems = [400, 401, 403, 503];

    public static RouteHandlerBuilder Answers<TResponse>(this RouteHandlerBuilder route, int status, params int[] moreProblems) =>
        route.Produces<TResponse>(status).Problems(moreProblems);

    public static RouteHandlerBuilder AnswersText(this RouteHandlerBuilder route, string contentType, params int[] moreProblems) =>
        route.Produces<string>(StatusCodes.Status200OK, contentType).Problems(moreProblems);

    public static RouteHandlerBuilder Problems(this RouteHandlerBuilder route, params int[] moreProblems)
    {
        foreach (var problem in CommonProblems.Concat(moreProblems).Distinct())
            route.ProducesProblem(problem);
        return route;
    }
}
