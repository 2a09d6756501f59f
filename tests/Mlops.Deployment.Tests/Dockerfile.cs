using System.Text.RegularExpressions;

namespace Mlops.Deployment.Tests;

/// <summary>The Dockerfile at the repository root as a list of instructions (continuation lines joined), by stage.</summary>
public static partial class Dockerfile
{
    public static IReadOnlyList<(string Instruction, string Arguments)> Instructions { get; } = Parse(Repository.Read("Dockerfile"));

    /// <summary>The instructions of the last stage: what the image runs with.</summary>
    public static IReadOnlyList<(string Instruction, string Arguments)> FinalStage =>
        [.. Instructions.Skip(Instructions.ToList().FindLastIndex(i => i.Instruction == "FROM"))];

    /// <summary>The instructions of the stage named <paramref name="stage"/> (FROM ... AS stage).</summary>
    public static IReadOnlyList<(string Instruction, string Arguments)> Stage(string stage)
    {
        var start = Instructions.ToList().FindIndex(i => i.Instruction == "FROM" && i.Arguments.EndsWith($" AS {stage}", StringComparison.OrdinalIgnoreCase));
        return [.. Instructions.Skip(start).TakeWhile((i, index) => index == 0 || i.Instruction != "FROM")];
    }

    /// <summary>The port Kestrel listens on in the image (ENV Urls=http://+:PORT).</summary>
    public static int ContainerPort => int.Parse(UrlsPort().Match(string.Join('\n', FinalStage.Where(i => i.Instruction == "ENV").Select(i => i.Arguments))).Groups["port"].Value);

    private static List<(string, string)> Parse(string text)
    {
        var instructions = new List<(string, string)>();
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || string.IsNullOrWhiteSpace(line)))
                continue;
            if (line.TrimStart().StartsWith('#'))
                continue;
            current += line.TrimEnd().TrimEnd('\\') + (line.TrimEnd().EndsWith('\\') ? " " : "");
            if (line.TrimEnd().EndsWith('\\'))
                continue;
            var space = current.IndexOf(' ');
            instructions.Add((current[..space].ToUpperInvariant(), current[(space + 1)..].Trim()));
            current = "";
        }
        return instructions;
    }

    [GeneratedRegex(@"Urls=http://\+:(?<port>\d+)")]
    private static partial Regex UrlsPort();
}
