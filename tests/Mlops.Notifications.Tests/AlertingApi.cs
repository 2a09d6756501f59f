namespace Mlops.Notifications.Tests;

/// <summary>The API raises a SecurityAlert at the third refusal of one principal within five minutes.</summary>
public sealed class AlertingApi : NotificationsFixture
{
    protected override IDictionary<string, string?> ApiSettings
    {
        get
        {
            var settings = base.ApiSettings;
            settings["Api:RefusalsBeforeAlert"] = "3";
            return settings;
        }
    }
}
