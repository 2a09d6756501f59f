using System.CommandLine;
using Mlops.Api.Responses;

namespace Mlops.Cli.Commands;

/// <summary>
/// Lands a CSV or JSON-lines file into a registered raw table as one batch (rows + RawDataLanded). The batch id is chosen
/// here, before the first attempt, so a retried upload (a lost answer, a 503) lands once.
/// </summary>
public static class LandCommand
{
    public static Command Create()
    {
        var table = new Option<string>("--table") { Description = "The registered raw table, raw.<name>", Required = true };
        var file = new Option<FileInfo>("--file") { Description = "The file: CSV with a header row, or JSON lines (one object per line), UTF-8", Required = true };
        var environment = new Option<string>("--environment") { Description = "dev, staging or prod", DefaultValueFactory = _ => "dev" };
        var format = new Option<string?>("--format") { Description = "csv or jsonl (default: from the file's extension: .csv; .jsonl, .ndjson)" };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var batchId = new Option<Guid?>("--batch-id") { Description = "The batch's id (default: a new one); landing the same id again lands nothing twice" };
        var description = new Option<string?>("--description") { Description = "What the batch is (kept with it)" };
        var command = new Command("land", "Land a CSV or JSON-lines file into a registered raw table as one batch (needs catalog.write in the environment)")
        {
            table, file, environment, format, batchId, description,
        };

        command.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
                throw new ArgumentException($"--file {path.FullName} does not exist.");
            var fileFormat = parse.GetValue(format) ?? path.Extension.ToLowerInvariant() switch
            {
                ".csv" => "csv",
                ".jsonl" or ".ndjson" => "jsonl",
                _ => throw new ArgumentException($"Cannot tell the format of {path.Name} from its extension: say --format csv or --format jsonl."),
            };
            var id = parse.GetValue(batchId) ?? Guid.CreateVersion7();
            var query = CliOptions.Query(("environment", parse.GetValue(environment)), ("batchId", id), ("format", fileFormat),
                ("description", parse.GetValue(description)));
            var landed = await api.PostFileAsync<RawBatchLanded>($"api/raw/tables/{CliOptions.Escape(parse.GetValue(table)!)}/batches{query}", path.FullName,
                fileFormat == "csv" ? "text/csv" : "application/x-ndjson", cancellationToken);
            return output.Write(landed, b => CliOutput.Line(b.Replayed
                ? $"Batch {b.BatchId} had already landed: {b.RowCount} rows in {b.SourceTable} ({b.Environment}); nothing landed again."
                : $"Landed batch {b.BatchId}: {b.RowCount} rows into {b.SourceTable} ({b.Environment})."));
        });
        return command;
    }
}
