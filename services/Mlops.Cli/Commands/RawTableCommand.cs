using System.CommandLine;
using System.Text.Json;
using Mlops.Api.Responses;

namespace Mlops.Cli.Commands;

/// <summary>Raw tables: register a schema from a JSON file (it creates raw."name"), list them, show one.</summary>
public static class RawTableCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo>("--file")
        {
            Description = "The schema as JSON: {\"name\": \"raw.orders\", \"columns\": [{\"name\": ..., \"type\": ..., \"required\": ...}], \"key\": [...], \"eventTime\": ...}",
            Required = true,
        };
        var register = new Command("register", "Register a raw table's schema and create its table (needs catalog.write); the identical schema again changes nothing")
        {
            file,
        };
        register.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
                throw new ArgumentException($"--file {path.FullName} does not exist.");
            JsonElement schema;
            try
            {
                schema = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(path.FullName, cancellationToken));
            }
            catch (JsonException exception)
            {
                throw new ArgumentException($"--file {path.Name} is not JSON: {exception.Message}");
            }
            var table = await api.PostAsync<RawTableView>("api/raw/tables", schema, cancellationToken);
            return output.Write(table, t =>
            {
                CliOutput.Line(t.Created ? $"Registered {t.Name}." : $"{t.Name} is already registered with this schema; nothing changed.");
                Describe(t);
            });
        });

        var list = new Command("list", "The registered raw tables (needs catalog.read)");
        list.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var tables = await api.GetAsync<List<RawTableView>>("api/raw/tables", cancellationToken);
            return output.Write(tables, all =>
            {
                foreach (var t in all)
                    CliOutput.Line($"{t.Name,-40}  {t.Columns.Count,3} columns  key ({string.Join(", ", t.Key)})  event time {t.EventTime ?? "-"}");
            });
        });

        var name = new Argument<string>("table") { Description = "raw.<name>" };
        var show = new Command("show", "One raw table's columns, key and event time (needs catalog.read)") { name };
        show.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var table = await api.GetAsync<RawTableView>($"api/raw/tables/{CliOptions.Escape(parse.GetValue(name)!)}", cancellationToken);
            return output.Write(table, t =>
            {
                CliOutput.Line(t.Name);
                Describe(t);
            });
        });

        return new Command("raw-table", "Raw tables: the schemas files land into") { register, list, show };
    }

    private static void Describe(RawTableView table)
    {
        foreach (var column in table.Columns)
            CliOutput.Line($"  {column.Name,-30}  {column.Type,-16}  {(column.Required ? "required" : "")}");
        CliOutput.Line($"  key ({string.Join(", ", table.Key)}), event time {table.EventTime ?? "none"}");
    }
}
