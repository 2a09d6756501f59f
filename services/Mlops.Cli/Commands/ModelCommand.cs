using System.CommandLine;
using System.Globalization;
using Mlops.Catalog.Registry;

namespace Mlops.Cli.Commands;

public static class ModelCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "The model's full name, catalog.schema.model" };
        var show = new Command("show", "A model's versions, aliases and alias history") { model };
        show.RunWithoutBus(async (parse, host, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            var registry = host.Get<ModelRegistry>();
            var registered = await registry.FindModelAsync(name.FullName, cancellationToken)
                ?? throw new KeyNotFoundException($"Model {name} is not registered.");
            var champion = await registry.FindAliasAsync(name.FullName, ModelAliases.Champion, cancellationToken);
            var challenger = await registry.FindAliasAsync(name.FullName, ModelAliases.Challenger, cancellationToken);

            Console.WriteLine($"{registered.Name} — {registered.Description ?? "(no description)"}");
            Console.WriteLine($"champion: {Describe(champion)}   challenger: {Describe(challenger)}");
            Console.WriteLine();
            Console.WriteLine($"{"version",7}  {"status",-8}  {"auc",6}  {"code",-12}  {"features",-22}  {"compliance",-14}  created");
            foreach (var version in await registry.ListVersionsAsync(name.FullName, cancellationToken))
            {
                var auc = version.Metrics.TryGetValue("auc", out var value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
                var compliance = version.Tags.GetValueOrDefault("compliance.status", "-");
                Console.WriteLine($"{version.Version,7}  {version.Status,-8}  {auc,6}  {Shorten(version.CodeVersion, 12),-12}  " +
                                  $"{Shorten($"{version.FeatureTable}@v{version.FeatureVersion}", 22),-22}  {compliance,-14}  {version.CreatedAt:u}");
            }

            Console.WriteLine();
            Console.WriteLine("champion history:");
            foreach (var change in await registry.AliasHistoryAsync(name.FullName, ModelAliases.Champion, cancellationToken))
                Console.WriteLine($"  {change.ChangedAt:u}  {Describe(change.FromVersion)} -> v{change.ToVersion}  by {change.ChangedBy}: {change.Reason}");
            return 0;
        });

        return new Command("model", "The model registry") { show };
    }

    private static string Describe(int? version) => version is { } v ? $"v{v}" : "none";

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
