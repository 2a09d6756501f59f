namespace Mlops.Catalog.Raw;

/// <summary>A file refused whole: nothing of it was stored. <see cref="Problems"/> holds the first problems found, in file order.</summary>
public sealed class RawFileRefusedException(IReadOnlyList<RawProblem> problems, bool truncated)
    : Exception($"The file was refused: {problems.Count}{(truncated ? " or more" : "")} problem(s); the first: {Describe(problems[0])}")
{
    public IReadOnlyList<RawProblem> Problems { get; } = problems;

    /// <summary>Whether the file holds more problems than were collected.</summary>
    public bool Truncated { get; } = truncated;

    public static string Describe(RawProblem problem) =>
        problem.Column is null ? $"line {problem.Line}: {problem.Message}" : $"line {problem.Line}, column {problem.Column}: {problem.Message}";
}
