namespace Mlops.Catalog.Tracking;

/// <summary>Stored artifact bytes no longer hash to their address: the artifact was altered after it was written.</summary>
public sealed class ArtifactIntegrityException(string expectedSha256, string actualSha256)
    : Exception($"Artifact {expectedSha256} failed its integrity check: its content now hashes to {actualSha256}. It was changed after it was stored; refusing to use it.")
{
    public string ExpectedSha256 { get; } = expectedSha256;
    public string ActualSha256 { get; } = actualSha256;
}
