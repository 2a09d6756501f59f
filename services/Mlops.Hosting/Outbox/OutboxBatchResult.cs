namespace Mlops.Hosting.Outbox;

/// <summary>What one dispatcher batch did; <see cref="TransientFailure"/> is set when a transient send failure stopped it early.</summary>
public sealed record OutboxBatchResult(int Claimed, int Delivered, int Parked, Exception? TransientFailure);
