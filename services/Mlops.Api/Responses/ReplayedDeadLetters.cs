namespace Mlops.Api.Responses;

/// <summary>How many dead letters went back to their queue, through their consuming service's outbox.</summary>
public sealed record ReplayedDeadLetters(string Queue, int Count);
