using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Outbox;

namespace Mlops.Hosting.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// MassTransit over RabbitMQ (or in memory, for tests) with what every Mlops service relies on: kebab-case endpoints,
    /// a retry policy, prefetch and concurrency from configuration, and the Postgres transactional outbox and inbox in
    /// front of every consumer and saga. <paramref name="configure"/> registers the service's consumers and sagas.
    /// </summary>
    public static IHostApplicationBuilder AddMlopsMessaging(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var section = builder.Configuration.GetSection(MessagingOptions.Section);
        builder.Services.AddOptions<MessagingOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var transport = section.GetValue(nameof(MessagingOptions.Transport), MessagingTransport.RabbitMq);
        var applicationName = builder.Environment.ApplicationName;

        builder.Services.AddSingleton(provider =>
            new ProducerName(provider.GetRequiredService<IOptions<MessagingOptions>>().Value.ServiceName ?? applicationName));
        builder.Services.AddSingleton<OutboxDispatcherSignal>();
        builder.Services.AddSingleton<OutboxWriter>();
        builder.Services.AddSingleton<OutboxPublisher>();

        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = true;
            options.StartTimeout = TimeSpan.FromSeconds(60);
            options.StopTimeout = TimeSpan.FromSeconds(30);
        });

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseMlopsTransactionalOutbox(context));

            configure?.Invoke(bus);

            if (transport == MessagingTransport.InMemory)
            {
                bus.UsingInMemory((context, cfg) =>
                {
                    var options = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                    cfg.ConfigureMlopsPolicies(options);
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                bus.UsingRabbitMq((context, cfg) =>
                {
                    var options = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                    var rabbit = options.RabbitMq;
                    cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, host =>
                    {
                        host.Username(rabbit.Username);
                        host.Password(rabbit.Password);
                        host.ConnectionName(options.ServiceName ?? applicationName);
                    });
                    cfg.PrefetchCount = options.PrefetchCount;
                    cfg.ConfigureMlopsPolicies(options);
                    cfg.ConfigureEndpoints(context);
                });
            }
        });

        // After the bus: hosts stop in reverse order, so the dispatcher stops before the bus it sends through.
        builder.Services.AddHostedService<OutboxDispatcher>();

        return builder;
    }

    /// <summary>Adds the transactional outbox and inbox to every consumer and saga on this endpoint.</summary>
    public static void UseMlopsTransactionalOutbox(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        var observer = new TransactionalOutboxConfigurationObserver(endpoint, context);
        endpoint.ConnectConsumerConfigurationObserver(observer);
        endpoint.ConnectSagaConfigurationObserver(observer);
    }

    private static void ConfigureMlopsPolicies(this IBusFactoryConfigurator cfg, MessagingOptions options)
    {
        if (options.ConcurrentMessageLimit is { } limit)
            cfg.ConcurrentMessageLimit = limit;

        // Outermost on every endpoint, so each attempt runs in a fresh transaction and reloads saga state.
        cfg.UseMessageRetry(retry =>
        {
            retry.Incremental(options.Retry.Limit, options.Retry.Initial, options.Retry.Increment);
            retry.Ignore<UnrecoverableMessageException>();
        });
    }
}
