using Mlops.Hosting.Data;

namespace Mlops.Hosting.Steps;

/// <summary>
/// The end of a step: writes its results in <paramref name="session"/>'s open transaction (the one that also completes the
/// lease) and returns the replies, which the worker publishes through the outbox in that same transaction.
/// </summary>
public delegate Task<IReadOnlyList<object>> StepCommit(DbSession session, CancellationToken cancellationToken);
