using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Http;

namespace Mlops.Api.Endpoints;

/// <summary>The audit log: queries (who changed or read model X between two dates), the compliance report, and the chain's verification.</summary>
public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/audit").WithTags("Audit");
        group.MapGet("/entries", FindAsync).Answers<IReadOnlyList<AuditEntry>>(StatusCodes.Status200OK)
            .WithSummary("Entries by principal, action, model (and its versions), outcome, and time range [from, to)");
        group.MapGet("/report", ReportAsync).Answers<ComplianceReport>(StatusCodes.Status200OK).Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("The compliance report for [from, to) as JSON, or CSV with format=csv (the chain's verdict in the Audit-Chain header)");
        group.MapGet("/verify", VerifyAsync).Answers<AuditVerification>(StatusCodes.Status200OK).WithSummary("Verify the hash chain; names the first bad entry");
        return api;
    }

    private static async Task<IResult> FindAsync(string? principal, string? action, string? model, string? outcome, DateTimeOffset? from, DateTimeOffset? to,
        int? limit, AccessGuard guard, AuditQueries queries, CancellationToken cancellationToken)
    {
        var query = new AuditQuery(
            Input.OptionalText(principal, "principal", 100), Input.OptionalText(action, "action", 100),
            model is null ? null : Input.Model(model, "model").FullName,
            outcome is null or AuditOutcomes.Succeeded or AuditOutcomes.Denied or AuditOutcomes.Failed
                ? outcome : throw ApiProblemException.Invalid("outcome", "outcome is succeeded, denied or failed."),
            from, to, Input.Limit(limit, max: 10_000, fallback: 1000));
        Range(from, to);
        await guard.DemandAsync("audit.query", Permissions.AuditRead, Permissions.AnyCatalog, "audit", cancellationToken);
        return Results.Ok(await queries.FindAsync(query, cancellationToken));
    }

    private static async Task<IResult> ReportAsync(DateTimeOffset? from, DateTimeOffset? to, string? format, AccessGuard guard, AuditQueries queries,
        AuditVerifier verifier, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        if (from is null)
            throw ApiProblemException.Invalid("from", "from is required (an ISO 8601 instant).");
        if (to is null)
            throw ApiProblemException.Invalid("to", "to is required (an ISO 8601 instant).");
        Range(from, to);
        var csv = (format ?? "json") switch
        {
            "json" => false,
            "csv" => true,
            _ => throw ApiProblemException.Invalid("format", "format is json or csv."),
        };
        await guard.DemandAsync("audit.report", Permissions.AuditRead, Permissions.AnyCatalog, "audit", cancellationToken);

        var chain = await verifier.VerifyAsync(cancellationToken);
        var report = ComplianceReport.Create(from.Value, to.Value, time.GetUtcNow(), chain, await queries.BetweenAsync(from.Value, to.Value, cancellationToken));
        if (!csv)
            return Results.Ok(report);
        http.Response.Headers["Audit-Chain"] = chain.Intact ? "intact" : $"broken at {chain.FirstBadSeq}: {chain.Problem}";
        return Results.Text(report.ToCsv(), "text/csv");
    }

    private static async Task<IResult> VerifyAsync(AccessGuard guard, AuditVerifier verifier, CancellationToken cancellationToken)
    {
        await guard.DemandAsync("audit.verify", Permissions.AuditRead, Permissions.AnyCatalog, "audit", cancellationToken);
        return Results.Ok(await verifier.VerifyAsync(cancellationToken));
    }

    private static void Range(DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is not null && to is not null && to < from)
            throw ApiProblemException.Invalid("to", "to is before from.");
    }
}
