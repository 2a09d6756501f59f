using System.CommandLine;
using Mlops.Api.Responses;

namespace Mlops.Cli.Commands;

/// <summary>mlops lineage model|batch: lineage both ways (docs/environments.md), read from GET /api/lineage/....</summary>
public static class LineageCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The model's full name, catalog.schema.model" };
        var version = new Argument<int>("version") { Description = "The model version" };
        var ofModel = new Command("model", "Downstream to upstream: a model version's run, tracking run, feature version, raw batches, code and trace (needs models.read)")
        {
            model, version,
        };
        ofModel.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var lineage = await api.GetAsync<ModelLineage>(
                $"api/lineage/models/{CliOptions.Escape(name.FullName)}/versions/{parse.GetValue(version)}", cancellationToken);
            return output.Write(lineage, l =>
            {
                CliOutput.Line($"{name} v{l.Version.Version} ({l.Version.Status})");
                CliOutput.Line($"  pipeline run   {l.PipelineRun?.RunId.ToString() ?? "-"} {l.PipelineRun?.State} (trigger {l.PipelineRun?.Trigger ?? "-"})");
                CliOutput.Line($"  tracking run   {l.Version.TrainingRunId} {l.TrackingRun?.Status ?? "(missing)"}");
                CliOutput.Line($"  feature table  {l.Version.FeatureTable} v{l.Version.FeatureVersion} ({l.FeatureVersion?.Environment ?? "no environment"}, {l.FeatureVersion?.RowCount} rows)");
                foreach (var batch in l.RawBatches)
                    CliOutput.Line($"  raw batch      {batch.BatchId} {batch.SourceTable} {batch.Environment} {batch.RowCount} rows landed {batch.LandedAt:u}");
                CliOutput.Line($"  code version   {l.CodeVersion} ({l.Version.Trainer})");
                CliOutput.Line($"  trace id       {l.TraceId ?? "-"}");
                foreach (var completed in l.CodeCompletedIn)
                    CliOutput.Line($"  code completed {completed.Environment,-8} run {completed.RunId} at {completed.FinishedAt:u}");
            });
        });

        var batch = new Argument<Guid>("batch") { Description = "The raw batch's id" };
        var ofBatch = new Command("batch", "Upstream to downstream: every feature table version and model version built from a raw batch (needs catalog.read)")
        {
            batch,
        };
        ofBatch.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var lineage = await api.GetAsync<BatchLineage>($"api/lineage/raw-batches/{parse.GetValue(batch)}", cancellationToken);
            return output.Write(lineage, l =>
            {
                CliOutput.Line($"raw batch {l.Batch.BatchId} of {l.Batch.SourceTable} in {l.Batch.Environment ?? "no environment"}: {l.Batch.RowCount} rows by {l.Batch.Producer}");
                foreach (var featureVersion in l.FeatureVersions)
                    CliOutput.Line($"  feature table  {featureVersion.Table} v{featureVersion.Version} ({featureVersion.Environment}) run {featureVersion.PipelineRunId}");
                foreach (var modelVersion in l.ModelVersions)
                    CliOutput.Line($"  model version  {modelVersion.ModelName} v{modelVersion.Version} ({modelVersion.Status}) code {modelVersion.CodeVersion} run {modelVersion.PipelineRunId}");
                if (l.HiddenModelVersions > 0)
                    CliOutput.Line($"  ({l.HiddenModelVersions} more model version(s) in catalogs this token may not read)");
            });
        });

        return new Command("lineage", "Lineage both ways: from a model version upstream, from a raw batch downstream") { ofModel, ofBatch };
    }
}
