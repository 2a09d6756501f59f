namespace Mlops.Api.Http;

/// <summary>Declares what an endpoint answers, for the OpenAPI document: its success body and its problem responses.</summary>
public static class RouteDocumentation
{
    /// <summary>Every authenticated endpoint can answer 400 (bad input), 401 (no valid token) and 403 (a missing permission).</summary>
    public static RouteHandlerBuilder Answers<TResponse>(this RouteHandlerBuilder route, int status, params int[] moreProblems)
    {
        route.Produces<TResponse>(status);
        foreach (var problem in new[] { 400, 401, 403 }.Concat(moreProblems).Distinct())
            route.ProducesProblem(problem);
        return route;
    }

    public static RouteHandlerBuilder AnswersText(this RouteHandlerBuilder route, string contentType, params int[] moreProblems)
    {
        route.Produces<string>(StatusCodes.Status200OK, contentType);
        foreach (var problem in new[] { 400, 401, 403 }.Concat(moreProblems).Distinct())
            route.ProducesProblem(problem);
        return route;
    }

}
