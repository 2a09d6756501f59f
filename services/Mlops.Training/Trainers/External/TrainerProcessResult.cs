namespace Mlops.Training.Trainers.External;

/// <summary>How a trainer command ended: its exit code, or null when it was killed at its time limit; how long it ran; the ends of its output.</summary>
public sealed record TrainerProcessResult(int? ExitCode, TimeSpan Elapsed, OutputTail Stdout, OutputTail Stderr)
{
    public IReadOnlyDictionary<string, byte[]> Logs => new Dictionary<string, byte[]>
    {
        ["stdout.txt"] = Stdout.ToArtifact(), ["stderr.txt"] = Stderr.ToArtifact(),
    };
}
