using System.CommandLine;
using System.Globalization;
using Mlops.Api.Responses;

namespace Mlops.Cli.Commands;

/// <summary>
/// mlops features show|restore (added to the features command): feature table time travel through /api/features
/// (docs/environments.md). show lists a table's
/// versions in an environment, or with --as-of one version (a number, or a timestamp: the newest version created at or
/// before it) and a page of its rows; restore writes a new version copying an earlier one's rows.
/// </summary>
public static class FeatureVersionsCommand
{
    public static IEnumerable<Command> Subcommands()
    {
        var table = new Argument<string>("table") { Description = "The feature table, e.g. churn_features" };
        var environment = new Option<string>("--environment", "-e") { Description = "dev, staging or prod", Required = true };

        var asOf = new Option<string>("--as-of") { Description = "A version number, or a timestamp (ISO 8601): the newest version created at or before it" };
        var after = new Option<long?>("--after") { Description = "Rows after this entity id (the next page)" };
        var limit = new Option<int?>("--limit") { Description = "Rows (or versions) to show; 100 rows or 50 versions by default" };
        var show = new Command("show", "A table's versions in an environment, or with --as-of one version and its rows (needs catalog.read)")
        {
            table, environment, asOf, after, limit,
        };
        show.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = CliOptions.Escape(parse.GetValue(table)!);
            var env = parse.GetValue(environment);
            if (parse.GetValue(asOf) is not { } given)
            {
                var versions = await api.GetAsync<List<FeatureVersionView>>(
                    $"api/features/{name}/versions{CliOptions.Query(("environment", env), ("limit", parse.GetValue(limit)))}", cancellationToken);
                return output.Write(versions, list =>
                {
                    CliOutput.Line($"{"version",7}  {"rows",8}  {"created",-20}  {"by",-16}  origin");
                    foreach (var v in list)
                        CliOutput.Line($"{v.Version,7}  {v.RowCount,8}  {v.CreatedAt,-20:u}  {v.CreatedBy,-16}  {Origin(v)}");
                });
            }

            var (version, timestamp) = ParseAsOf(given);
            var rows = await api.GetAsync<FeatureVersionRows>($"api/features/{name}/as-of" + CliOptions.Query(("environment", env), ("version", version),
                ("timestamp", timestamp), ("after", parse.GetValue(after)), ("limit", parse.GetValue(limit))), cancellationToken);
            return output.Write(rows, r =>
            {
                CliOutput.Line($"{r.Version.Table} v{r.Version.Version} in {r.Version.Environment}: {r.Version.RowCount} rows, created {r.Version.CreatedAt:u} by {r.Version.CreatedBy}, {Origin(r.Version)}");
                CliOutput.Line(string.Join("\t", r.Columns));
                foreach (var row in r.Rows)
                    CliOutput.Line(string.Join("\t", r.Columns.Select(c => Format(row.GetValueOrDefault(c)))));
                if (r.NextAfter is { } next)
                    CliOutput.Line($"(more: --after {next})");
            });
        });

        var version = new Option<int?>("--version") { Description = "Restore this version (VERSION AS OF)" };
        var timestamp = new Option<DateTimeOffset?>("--timestamp") { Description = "Restore the version current at this time (TIMESTAMP AS OF, ISO 8601)" };
        var reason = new Option<string>("--reason") { Description = "Why (kept with the new version and in the audit log)", Required = true };
        var restore = new Command("restore", "Restore a table in one environment to an earlier version: a new version copying its rows (needs catalog.write there)")
        {
            table, version, timestamp, environment, reason,
        };
        restore.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            if (parse.GetValue(version) is null == parse.GetValue(timestamp) is null)
                throw new CliException("give exactly one of --version and --timestamp.");
            var restored = await api.PostAsync<FeatureVersionView>($"api/features/{CliOptions.Escape(parse.GetValue(table)!)}/restore", new
            {
                environment = parse.GetValue(environment), version = parse.GetValue(version), timestamp = parse.GetValue(timestamp), reason = parse.GetValue(reason),
            }, cancellationToken);
            return output.Write(restored, v =>
                CliOutput.Line($"Restored {v.Table} in {v.Environment}: v{v.Version} is a copy of v{v.RestoredFrom} ({v.RowCount} rows), by {v.CreatedBy}: {v.RestoreReason}"));
        });

        return [show, restore];
    }

    private static (int? Version, DateTimeOffset? Timestamp) ParseAsOf(string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return (number, null);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return (null, at);
        throw new CliException($"--as-of '{value}' is neither a version number nor a timestamp (e.g. 2026-11-29T17:20:00Z).");
    }

    private static string Origin(FeatureVersionView version) => version.RestoredFrom is { } from
        ? $"restored from v{from}: {version.RestoreReason}"
        : version.PipelineRunId is { } run ? $"computed by run {run}" : "computed";

    private static string Format(object? value) => value switch
    {
        null => "-",
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Null } => "-",
        System.Text.Json.JsonElement element => element.ToString(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "-",
    };
}
