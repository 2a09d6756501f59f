using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Http;
using Mlops.Api.Requests;
using Mlops.Api.Responses;
using Mlops.Hosting.Data;
using Mlops.Simulator;

namespace Mlops.Api.Endpoints;

/// <summary>
/// The upstream simulator behind `mlops land-data` and the demo: it generates synthetic churn customers and lands them (rows,
/// RawDataLanded and the audit entry in one transaction), so that the CLI never writes the landing table itself. Real upstream
/// pipelines land their files into registered raw tables (RawTableEndpoints), through the same landing code.
/// </summary>
public static class SimulatorEndpoints
{
    public const int MaxRows = 1_000_000;

    public static RouteGroupBuilder MapSimulatorEndpoints(this RouteGroupBuilder api)
    {
        api.MapGroup("/simulator").WithTags("Simulator")
            .MapPost("/batches", LandAsync).Answers<LandedBatch>(StatusCodes.Status201Created, 409, 422)
            .WithSummary("Generate a batch of synthetic churn customers and land it into raw.churn_customers (publishes RawDataLanded)");
        return api;
    }

    private static async Task<IResult> LandAsync(SyntheticBatchRequest request, AccessGuard guard, RequestAudit audit, DbSession session,
        RawDataLander lander, CancellationToken cancellationToken)
    {
        var environment = Input.Environment(request.Environment ?? "dev", "environment");
        var rows = request.Rows ?? 50_000;
        if (rows is < 1 or > MaxRows)
            throw ApiProblemException.Invalid("rows", $"rows must be between 1 and {MaxRows}; {rows} is not.");
        var firstId = request.FirstCustomerId ?? 1;
        if (firstId < 0 || firstId > long.MaxValue - rows)
            throw ApiProblemException.Invalid("firstCustomerId", "firstCustomerId must be non-negative and leave room for the batch's ids in a bigint.");
        var shift = request.Shift ?? 0;
        if (!double.IsFinite(shift) || Math.Abs(shift) > 100)
            throw ApiProblemException.Invalid("shift", "shift must be a number between -100 and 100.");
        var conceptShift = Fraction(request.ConceptShift, "conceptShift");
        var nullRate = Fraction(request.NullRate, "nullRate");
        var options = new ChurnDataOptions
        {
            RowCount = rows, Seed = request.Seed ?? 7, FirstCustomerId = firstId, Shift = shift, ConceptShift = conceptShift, NullRate = nullRate,
        };
        var description = Input.OptionalText(request.Description, "description", 2000)
                          ?? $"synthetic churn: seed {options.Seed}, shift {shift}, concept shift {conceptShift}, null rate {nullRate}";

        var resource = $"data:{environment}/{RawDataLander.SourceTable}";
        await guard.DemandAsync("data.landed", Permissions.CatalogWrite, environment, resource, cancellationToken);
        var customers = ChurnDataGenerator.Generate(options);
        await session.BeginAsync(cancellationToken);
        var batchId = await lander.LandAsync(session, customers, environment, guard.Caller.Name, description, cancellationToken);
        await audit.AppendAsync(session, "data.landed", $"{resource}/{batchId}", $"{customers.Count} synthetic rows: {description}", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Created($"/api/simulator/batches/{batchId}", new LandedBatch(batchId, environment, RawDataLander.SourceTable, customers.Count));
    }

    private static double Fraction(double? value, string field) =>
        value is null ? 0 : value is >= 0 and <= 1 ? value.Value : throw ApiProblemException.Invalid(field, $"{field} must be between 0 and 1.");
}
