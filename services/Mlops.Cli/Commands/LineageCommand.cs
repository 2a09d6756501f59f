using System.CommandLine;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Catalog.Lineage;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Cli.Runs;

namespace Mlops.Cli.Commands;

/// <summary>mlops lineage model|batch: lineage both ways (docs/environments.md), as GET /api/lineage/... shows it.</summary>
public static class LineageCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The model's full name, catalog.schema.model" };
        var version = new Argument<int>("version") { Description = "The model version" };
        var ofModel = new Command("model", "Downstream to upstream: a model version's run, tracking run, feature version, raw batches, code and trace")
        {
            model, version,
        };
        ofModel.RunWithoutBus(async (parse, host, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var found = await host.Get<ModelRegistry>().FindVersionAsync(name.FullName, parse.GetValue(version), cancellationToken)
                ?? throw new KeyNotFoundException($"Model {name} has no version {parse.GetValue(version)}.");
            var runs = new PipelineRuns(host.Get<Npgsql.NpgsqlDataSource>());
            var run = found.PipelineRunId is { } runId ? await runs.FindAsync(runId, cancellationToken) : null;
            var tracking = await host.Get<TrackingStore>().FindAsync(found.TrainingRunId, cancellationToken);
            var features = await host.Get<FeatureStore>().FindVersionAsync(found.FeatureTable, found.FeatureVersion, cancellationToken);

            Console.WriteLine($"{name} v{found.Version} ({found.Status})");
            Console.WriteLine($"  pipeline run   {run?.CorrelationId.ToString() ?? "-"} {run?.CurrentState} (trigger {run?.Trigger ?? "-"})");
            Console.WriteLine($"  tracking run   {found.TrainingRunId} {tracking?.Status ?? "(missing)"}");
            Console.WriteLine($"  feature table  {found.FeatureTable} v{found.FeatureVersion} ({features?.Environment ?? "no environment"}, {features?.RowCount} rows)");
            foreach (var batchId in features?.RawBatchIds ?? found.RawBatchIds)
            {
                var batch = await host.Get<RawBatches>().FindAsync(batchId, cancellationToken);
                Console.WriteLine($"  raw batch      {batchId} {batch?.SourceTable ?? "(missing)"} {batch?.Environment} {batch?.RowCount} rows landed {batch?.LandedAt:u}");
            }
            Console.WriteLine($"  code version   {found.CodeVersion} ({found.Trainer})");
            Console.WriteLine($"  trace id       {found.TraceId ?? run?.TraceId ?? "-"}");
            foreach (var completedId in await host.Get<LineageQueries>().CompletedRunsOfCodeAsync($"{name.Schema}.{name.Model}", found.CodeVersion, cancellationToken))
            {
                if (await runs.FindAsync(completedId, cancellationToken) is { } completed)
                    Console.WriteLine($"  code completed {completed.Environment,-8} run {completed.CorrelationId} at {completed.FinishedAt:u}");
            }
            return 0;
        });

        var batch = new Argument<Guid>("batch") { Description = "The raw batch's id" };
        var ofBatch = new Command("batch", "Upstream to downstream: every feature table version and model version built from a raw batch") { batch };
        ofBatch.RunWithoutBus(async (parse, host, cancellationToken) =>
        {
            var batchId = parse.GetValue(batch);
            var found = await host.Get<RawBatches>().FindAsync(batchId, cancellationToken)
                ?? throw new KeyNotFoundException($"There is no raw batch {batchId}.");
            var lineage = host.Get<LineageQueries>();
            Console.WriteLine($"raw batch {batchId} of {found.SourceTable} in {found.Environment ?? "no environment"}: {found.RowCount} rows by {found.Producer}");
            foreach (var featureVersion in await lineage.FeatureVersionsFromAsync(batchId, cancellationToken))
                Console.WriteLine($"  feature table  {featureVersion.Table} v{featureVersion.Version} ({featureVersion.Environment}) run {featureVersion.PipelineRunId}");
            foreach (var modelVersion in await lineage.ModelVersionsFromAsync(batchId, cancellationToken))
                Console.WriteLine($"  model version  {modelVersion.ModelName} v{modelVersion.Version} ({modelVersion.Status}) code {modelVersion.CodeVersion} run {modelVersion.PipelineRunId}");
            return 0;
        });

        return new Command("lineage", "Lineage both ways: from a model version upstream, from a raw batch downstream") { ofModel, ofBatch };
    }
}
