using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MassTransit.Middleware;
using Microsoft.Extensions.Logging;
using Mlops.Hosting.DeadLetters;
using Mlops.Hosting.Health;
using Mlops.Hosting.Outbox;
using Mlops.Hosting.Telemetry;
using Mlops.Hosting.Retention;

namespace Mlops.Hosting.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// MassTransit over RabbitMQ (or in memory, for tests) with what every Mlops service relies on: kebab-case endpoints,
    /// immediate retries then delayed redelivery through the outbox, dead letters in messaging.dead_letters, prefetch and
    /// concurrency from configuration, the Postgres transactional outbox and inbox in front of every consumer and saga,
    /// the messaging health check and the messaging tables' retention. <paramref name="configure"/> registers the
    /// service's consumers and sagas.
    /// </summary>
    public static IHostApplicationBuilder AddMlopsMessaging(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null)
    {
        var section = builder.Configuration.GetSection(MessagingOptions.Section);
        builder.Services.AddOptions<MessagingOptions>().Bind(section).ValidateDataAnnotations()
            .Validate(options => !options.Redelivery.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options.Redelivery)).Any(),
                "Messaging:Redelivery:Intervals must be one or more positive durations separated by commas, e.g. 00:00:05, 00:00:30.")
            .ValidateOnStart();
        var transport = section.GetValue(nameof(MessagingOptions.Transport), MessagingTransport.RabbitMq);
        var applicationName = builder.Environment.ApplicationName;

        builder.Services.AddSingleton(provider =>
            new ProducerName(provider.GetRequiredService<IOptions<MessagingOptions>>().Value.ServiceName ?? applicationName));
        builder.Services.AddSingleton<OutboxDispatcherSignal>();
        builder.Services.AddSingleton<OutboxWriter>();
        builder.Services.AddSingleton<OutboxPublisher>();
        builder.Services.AddSingleton<RedeliveryScheduler>();
        builder.Services.AddSingleton<DeadLetterStore>();
        builder.Services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section);
        builder.Services.AddHealthChecks()
            .AddTypeActivatedCheck<MessagingHealthCheck>("outbox-backlog", null, ["ready"], MessagingHealthAspect.OutboxBacklog)
            .AddTypeActivatedCheck<MessagingHealthCheck>("outbox-parked", null, ["ready"], MessagingHealthAspect.OutboxParked)
            .AddTypeActivatedCheck<MessagingHealthCheck>("dead-letters", null, ["ready"], MessagingHealthAspect.DeadLetters);

        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = true;
            options.StartTimeout = TimeSpan.FromSeconds(60);
            options.StopTimeout = TimeSpan.FromSeconds(30);
        });

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
        {
            endpoint.UseMlopsTransactionalOutbox(context);
            endpoint.UseMlopsDeadLetters(context);
            // Fault<T> events would be published through the consumer's rolled-back outbox session, and nothing consumes them:
            // a message that fails for good is a dead letter instead.
            endpoint.PublishFaults = false;
            if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit && context.GetRequiredService<IOptions<MessagingOptions>>().Value.RabbitMq.QuorumQueues)
                rabbit.SetQuorumQueue();
        });

            configure?.Invoke(bus);

            if (transport == MessagingTransport.InMemory)
            {
                bus.UsingInMemory((context, cfg) =>
                {
                    var options = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                    cfg.ConfigureMlopsPolicies(options, context);
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
                    cfg.ConfigureMlopsPolicies(options, context);
                    cfg.ConfigureEndpoints(context);
                });
            }
        });

        // After the bus: hosts stop in reverse order, so the dispatcher stops before the bus it sends through.
        builder.Services.AddHostedService<OutboxDispatcher>();
        builder.Services.AddHostedService<OutboxGauges>();

        builder.Services.AddMlopsRetentionRule(MessagingRetention.OutboxDelivered);
        builder.Services.AddMlopsRetentionRule(MessagingRetention.OutboxParked);
        builder.Services.AddMlopsRetentionRule(MessagingRetention.Inbox);
        builder.Services.AddMlopsRetentionRule(MessagingRetention.DeadLettersReplayed);

        return builder;
    }

    /// <summary>Adds the transactional outbox and inbox to every consumer and saga on this endpoint.</summary>
    public static void UseMlopsTransactionalOutbox(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        var observer = new TransactionalOutboxConfigurationObserver(endpoint, context);
        endpoint.ConnectConsumerConfigurationObserver(observer);
        endpoint.ConnectSagaConfigurationObserver(observer);
    }

    /// <summary>
    /// Messages that fault for good go to messaging.dead_letters (or, when the database cannot be reached, to the _error queue),
    /// including bodies that cannot be deserialised.
    /// </summary>
    public static void UseMlopsDeadLetters(this IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    {
        var filter = new DeadLetters.DeadLetterFilter(context.GetRequiredService<DeadLetterStore>(), context.GetRequiredService<ProducerName>().Value,
            context.GetRequiredService<ILoggerFactory>().CreateLogger("Mlops.DeadLetters"));
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(filter);
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
        });
    }

    private static void ConfigureMlopsPolicies(this IBusFactoryConfigurator cfg, MessagingOptions options, IBusRegistrationContext context)
    {
        if (options.ConcurrentMessageLimit is { } limit)
            cfg.ConcurrentMessageLimit = limit;

        // Outside the immediate retries: once they are used up, the message goes back to its queue later, through the outbox.
        _ = new RedeliveryConfigurationObserver(cfg, context.GetRequiredService<RedeliveryScheduler>(), options.Redelivery.ParsedIntervals(),
            context.GetRequiredService<ILoggerFactory>().CreateLogger("Mlops.Redelivery"));

        // Each attempt runs in a fresh transaction and reloads saga state.
        cfg.UseMessageRetry(retry =>
        {
            retry.Incremental(options.Retry.Limit, options.Retry.Initial, options.Retry.Increment);
            retry.Ignore<UnrecoverableMessageException>();
        });
    }
}
