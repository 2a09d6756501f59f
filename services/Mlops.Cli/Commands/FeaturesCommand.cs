using System.CommandLine;

namespace Mlops.Cli.Commands;

/// <summary>mlops features: feature tables (their versions, reads as of a version or timestamp, restore).</summary>
public static class FeaturesCommand
{
    public static Command Create()
    {
        var features = new Command("features", "Feature tables: versions, reads as of a version or timestamp, restore");
        foreach (var command in FeatureVersionsCommand.Subcommands())
            features.Subcommands.Add(command);
        return features;
    }
}
