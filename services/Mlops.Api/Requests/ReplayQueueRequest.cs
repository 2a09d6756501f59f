namespace Mlops.Api.Requests;

/// <summary>Replay every dead letter of a queue that was not replayed yet.</summary>
public sealed record ReplayQueueRequest(string? Queue);
