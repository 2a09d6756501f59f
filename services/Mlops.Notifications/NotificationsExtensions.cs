using Microsoft.Extensions.DependencyInjection.Extensions;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Retention;
using Mlops.Hosting.Secrets;
using Mlops.Notifications.Consumers;
using Mlops.Notifications.Delivery;
using Mlops.Notifications.Events;

namespace Mlops.Notifications;

public static class NotificationsExtensions
{
    /// <summary>Everything the notifications service adds to the Mlops defaults: the event consumer, the webhook dispatcher, the key check.</summary>
    public static IHostApplicationBuilder AddNotificationsService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.RetryInitial <= o.RetryMax && o.Timeout < o.LeaseDuration,
                "Webhooks:Delivery: RetryInitial must not exceed RetryMax, and Timeout must be shorter than LeaseDuration.")
            .ValidateOnStart();
        builder.Services.AddOptions<SecretBoxOptions>().BindConfiguration(SecretBoxOptions.Section);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMlopsMigrations(typeof(NotificationsExtensions).Assembly);
        builder.Services.AddMlopsRetentionRule(NotificationsRetention.WebhookDeliveries).AddMlopsRetentionRule(NotificationsRetention.WebhookEvents);

        builder.Services.AddSingleton<SecretBox>();
        builder.Services.AddSingleton<EventRecorder>();
        builder.Services.AddSingleton<DeliverySignal>();
        builder.Services.AddSingleton<DeliveryStore>();
        // Redirects are not followed: a signed body goes only where the subscription says.
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        builder.Services.AddHealthChecks().AddCheck<DeliveryHealthCheck>("webhook-deliveries", tags: ["ready"]);

        // After the migrations (registered by AddMlopsDefaults): the check reads notifications.subscriptions.
        builder.Services.AddHostedService<SecretKeyCheck>();
        builder.AddMlopsMessaging(bus => bus.AddConsumer<WebhookEventsConsumer>());
        builder.Services.AddHostedService<WebhookDispatcher>();
        return builder;
    }
}
