namespace Mlops.Serving.Inference;

/// <summary>Why the latest lookup by entity key failed, and whether retrying can help (see <see cref="FeatureLookup.LastFailure"/>).</summary>
public sealed record LookupFailure(DateTimeOffset At, string Reason, bool Transient);
