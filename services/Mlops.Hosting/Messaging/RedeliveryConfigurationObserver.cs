using MassTransit;
using MassTransit.Configuration;
using Microsoft.Extensions.Logging;

namespace Mlops.Hosting.Messaging;

/// <summary>Puts a <see cref="RedeliveryFilter{TMessage}"/> on every message type of every endpoint, outside the immediate retries.</summary>
public sealed class RedeliveryConfigurationObserver : ConfigurationObserver, IMessageConfigurationObserver
{
    private readonly RedeliveryScheduler _scheduler;
    private readonly IReadOnlyList<TimeSpan> _intervals;
    private readonly ILogger _logger;

    public RedeliveryConfigurationObserver(IConsumePipeConfigurator configurator, RedeliveryScheduler scheduler, IReadOnlyList<TimeSpan> intervals,
        ILogger logger)
        : base(configurator)
    {
        _scheduler = scheduler;
        _intervals = intervals;
        _logger = logger;
        Connect(this);
    }

    public void MessageConfigured<TMessage>(IConsumePipeConfigurator configurator)
        where TMessage : class =>
        configurator.AddPipeSpecification(new FilterPipeSpecification<ConsumeContext<TMessage>>(
            new RedeliveryFilter<TMessage>(_scheduler, _intervals, _logger)));
}
