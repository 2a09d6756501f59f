using System.CommandLine;
using Mlops.Catalog.Features.Definitions;

namespace Mlops.Cli.Commands;

/// <summary>
/// mlops features: register a feature table's YAML definition (docs/features.md, sent to the API as written), list its versions,
/// read it as of a version or timestamp, restore an earlier version.
/// </summary>
public static class FeaturesCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo>("--file") { Description = "The feature table's YAML file, e.g. examples/features/churn.yaml", Required = true };
        var register = new Command("register", "Register a feature table, or a new version of its definition (needs catalog.write)") { file };
        register.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
                throw new ArgumentException($"--file {path.FullName} does not exist.");
            if (path.Length > FeatureTableDocument.MaxLength * 4L)
                throw new ArgumentException($"--file {path.FullName} is larger than a feature table definition may be.");
            var yaml = await File.ReadAllTextAsync(path.FullName, cancellationToken);
            var registered = await api.PostTextAsync<FeatureRegistration>("api/features/tables", yaml, "application/yaml", cancellationToken);
            return output.Write(registered, r => CliOutput.Line(r.Changed
                ? $"Registered {r.Name} definition version {r.DefinitionVersion} from {r.SourceTable}: {string.Join(", ", r.Columns)}."
                : $"{r.Name} definition version {r.DefinitionVersion} is already this definition; nothing changed."));
        });
        var features = new Command("features", "Feature tables defined in YAML: register, versions, reads as of a version or timestamp, restore") { register };
        foreach (var command in FeatureVersionsCommand.Subcommands())
            features.Subcommands.Add(command);
        return features;
    }
}
