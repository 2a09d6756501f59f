namespace Mlops.Notifications.Tests;

/// <summary>A row of notifications.deliveries as a test reads it in SQL.</summary>
public sealed record DeliveryRow(Guid Id, long Sequence, Guid EventId, Guid? ReplayOf, string Status, int Attempts, int? LastStatusCode, string? LastError);
