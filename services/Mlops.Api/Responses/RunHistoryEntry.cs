namespace Mlops.Api.Responses;

public sealed record RunHistoryEntry(string State, DateTimeOffset At, string Note);
