using System.CommandLine;
using System.Globalization;
using Mlops.Api.Responses;
using Mlops.Catalog.Registry;
using Mlops.Cli.Api;

namespace Mlops.Cli.Commands;

public static class ModelCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The model's full name, catalog.schema.model" };
        var show = new Command("show", "A model's versions, aliases and champion history (needs models.read)") { model };
        show.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var path = $"api/models/{CliOptions.Escape(name.FullName)}";
            var summary = await api.GetAsync<ModelSummary>(path, cancellationToken);
            var versions = await api.GetAsync<List<VersionSummary>>(path + "/versions", cancellationToken);
            var history = await api.GetAsync<List<AliasChange>>($"{path}/aliases/{ModelAliases.Champion}/history", cancellationToken);

            return output.Write(new ModelView(summary, versions, history), view =>
            {
                CliOutput.Line($"{view.Model.Name} — {view.Model.Description ?? "(no description)"}");
                CliOutput.Line($"champion: {Describe(view.Model.Aliases, ModelAliases.Champion)}   challenger: {Describe(view.Model.Aliases, ModelAliases.Challenger)}");
                CliOutput.Line("");
                CliOutput.Line($"{"version",7}  {"status",-8}  {"format",-14}  {"auc",6}  {"code",-12}  {"compliance",-14}  created");
                foreach (var version in view.Versions)
                {
                    var auc = version.Metrics.TryGetValue("auc", out var value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
                    var compliance = version.Tags.GetValueOrDefault("compliance.status", "-");
                    CliOutput.Line($"{version.Version,7}  {version.Status,-8}  {version.ModelFormat,-14}  {auc,6}  {Shorten(version.CodeVersion, 12),-12}  {compliance,-14}  {version.CreatedAt:u}");
                }
                CliOutput.Line("");
                CliOutput.Line("champion history:");
                foreach (var change in view.ChampionHistory)
                    CliOutput.Line($"  {change.ChangedAt:u}  {(change.FromVersion is { } f ? $"v{f}" : "none")} -> v{change.ToVersion}  by {change.ChangedBy}: {change.Reason}");
            });
        });

        var version = new Argument<int>("version") { Description = "The version number" };
        var archiveReason = new Option<string>("--reason") { Description = "Why (kept in the version's status history and the audit log)", Required = true };
        var archive = new Command("archive", "Archive a version; a champion or challenger is refused (needs models.promote)") { model, version, archiveReason };
        archive.RunWithApi((parse, api, output, cancellationToken) =>
            ChangeStatusAsync(api, output, "archive", parse.GetValue(model)!, parse.GetValue(version), parse.GetValue(archiveReason), cancellationToken));
        var restoreReason = new Option<string>("--reason") { Description = "Why (optional)" };
        var restore = new Command("restore", "Return an archived version to ready (needs models.promote)") { model, version, restoreReason };
        restore.RunWithApi((parse, api, output, cancellationToken) =>
            ChangeStatusAsync(api, output, "restore", parse.GetValue(model)!, parse.GetValue(version), parse.GetValue(restoreReason), cancellationToken));

        return new Command("model", "The model registry") { show, archive, restore };
    }

    private static async Task<int> ChangeStatusAsync(ApiClient api, CliOutput output, string verb, string model, int version, string? reason,
        CancellationToken cancellationToken)
    {
        var name = CliOptions.ParseModel(model);
        var change = await api.PostAsync<VersionStatusChange>($"api/models/{CliOptions.Escape(name.FullName)}/versions/{version}/{verb}",
            new { reason }, cancellationToken);
        return output.Write(change, c => CliOutput.Line($"{c.ModelName} v{c.Version}: {c.FromStatus} -> {c.ToStatus} by {c.ChangedBy}: {c.Reason}"));
    }

    private static string Describe(IReadOnlyDictionary<string, int> aliases, string alias) => aliases.TryGetValue(alias, out var v) ? $"v{v}" : "none";

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
