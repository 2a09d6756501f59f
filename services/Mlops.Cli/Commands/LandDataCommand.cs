using System.CommandLine;
using Mlops.Simulator;

namespace Mlops.Cli.Commands;

/// <summary>Plays the upstream pipeline: generates a batch of synthetic churn customers and lands it (rows + RawDataLanded).</summary>
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
        var principal = CliOptions.Principal();
        var command = new Command("land-data", "Land a batch of synthetic churn customers into raw.churn_customers")
        {
            rows, seed, firstId, shift, concept, nulls, environment, principal,
        };

        command.Run(async (parse, host, cancellationToken) =>
        {
            var options = new ChurnDataOptions
            {
                RowCount = parse.GetValue(rows), Seed = parse.GetValue(seed), FirstCustomerId = parse.GetValue(firstId),
                Shift = parse.GetValue(shift), ConceptShift = parse.GetValue(concept), NullRate = parse.GetValue(nulls),
            }.Validate();
            var customers = ChurnDataGenerator.Generate(options);
            var batchId = await host.LandAsync(customers, parse.GetValue(environment)!, parse.GetValue(principal)!,
                $"synthetic churn: seed {options.Seed}, shift {options.Shift}, concept shift {options.ConceptShift}, null rate {options.NullRate}", cancellationToken);
            Console.WriteLine($"Landed batch {batchId}: {customers.Count} rows into {RawDataLander.SourceTable}.");
            return 0;
        });
        return command;
    }
}
