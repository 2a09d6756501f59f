namespace Mlops.Notifications.Tests;

/// <summary>Deliveries that keep failing are given up after two seconds instead of a day.</summary>
public sealed class ShortGiveUp : NotificationsFixture
{
    protected override IDictionary<string, string?> NotificationSettings
    {
        get
        {
            var settings = base.NotificationSettings;
            settings["Webhooks:Delivery:GiveUpAfter"] = "00:00:02";
            return settings;
        }
    }
}
