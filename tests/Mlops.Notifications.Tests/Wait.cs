using Mlops.Testing;

namespace Mlops.Notifications.Tests;

/// <summary>Waits on the delivery rows of a subscription.</summary>
public static class Wait
{
    public static Task<IReadOnlyList<DeliveryRow>> DeliveredAsync(NotificationsFixture fixture, Guid subscription, int count) =>
        Eventually.WaitAsync(() => fixture.DeliveriesAsync(subscription), rows => rows.Count(r => r.Status == "delivered") >= count,
            $"{count} delivered rows of subscription {subscription}");

    public static Task<IReadOnlyList<DeliveryRow>> RowsAsync(NotificationsFixture fixture, Guid subscription, Func<IReadOnlyList<DeliveryRow>, bool> until, string what) =>
        Eventually.WaitAsync(() => fixture.DeliveriesAsync(subscription), until, what);
}
