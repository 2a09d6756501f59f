using System.CommandLine;
using Mlops.Api.Responses;
using Mlops.Simulator;

namespace Mlops.Cli.Commands;

/// <summary>Plays the upstream pipeline: the API's simulator generates a batch of synthetic churn customers and lands it (rows + RawDataLanded).</summary>
public static class LandDataCommand
{
    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Customers in the batch", DefaultValueFactory = _ => 50_000 };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same options give the same rows", DefaultValueFactory = _ => 7 };
        var firstId = new Option<long>("--first-customer-id") { Description = "The first customer id", DefaultValueFactory = _ => 1 };
        var shift = new Option<double>("--shift") { Description = "Covariate drift (0 = none; 1 = charges +10, tenure −6 months, more monthly contracts)" };
        var concept = new Option<double>("--concept-shift") { Description = "Concept drift between 0 and 1 (how churn depends on the features)" };
        var nulls = new Option<double>("--null-rate") { Description = "Share of rows whose billing columns are null (a broken upstream join)" };
        var environment = new Option<string>("--environment") { Description = "dev, staging or prod", DefaultValueFactory = _ => "dev" };
        var command = new Command("land-data", "Land a batch of synthetic churn customers into raw.churn_customers (needs catalog.write)")
        {
            rows, seed, firstId, shift, concept, nulls, environment,
        };

        command.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            // Checked here too, so that a mistake is named with the option's own words before anything is sent.
            if (parse.GetValue(rows) < 1)
                throw new ArgumentException($"--rows must be at least 1; {parse.GetValue(rows)} is not.");
            new ChurnDataOptions
            {
                RowCount = parse.GetValue(rows), Seed = parse.GetValue(seed), FirstCustomerId = parse.GetValue(firstId),
                Shift = parse.GetValue(shift), ConceptShift = parse.GetValue(concept), NullRate = parse.GetValue(nulls),
            }.Validate();
            var landed = await api.PostAsync<LandedBatch>("api/simulator/batches", new
            {
                environment = parse.GetValue(environment), rows = parse.GetValue(rows), seed = parse.GetValue(seed), firstCustomerId = parse.GetValue(firstId),
                shift = parse.GetValue(shift), conceptShift = parse.GetValue(concept), nullRate = parse.GetValue(nulls),
            }, cancellationToken);
            return output.Write(landed, b => CliOutput.Line($"Landed batch {b.BatchId}: {b.RowCount} rows into {b.SourceTable} ({b.Environment})."));
        });
        return command;
    }
}
