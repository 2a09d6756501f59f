using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Transports;
using Mlops.Hosting.Sagas;

namespace Mlops.Hosting.Outbox;

/// <summary>
/// Puts <see cref="TransactionalConsumeFilter{TMessage}"/> in front of every consumer and saga configured on an endpoint.
/// The inbox identifies a consumer by endpoint and type, so two consumers of one message each process it once.
/// </summary>
public sealed class TransactionalOutboxConfigurationObserver(IReceiveEndpointConfigurator endpoint, IRegistrationContext context)
    : IConsumerConfigurationObserver, ISagaConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class
    {
        if (configurator is not IConsumerMessageConfigurator<TMessage> messageConfigurator)
            throw new ConfigurationException($"The transactional outbox could not be added to {TypeCache<TConsumer>.ShortName}.");

        AddFilter<TConsumer, TMessage>(messageConfigurator);
    }

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class
    {
        if (configurator is not ISagaMessageConfigurator<TMessage> messageConfigurator)
            throw new ConfigurationException($"The transactional outbox could not be added to {TypeCache<TSaga>.ShortName}.");

        // The Postgres saga repository loads through the session, taking the queued inbox row with it; other repositories do not.
        AddFilter<TSaga, TMessage>(messageConfigurator, inboxWithLoad: context.GetService(typeof(PostgresSagaTable<TSaga>)) is not null);
    }

    private void AddFilter<T, TMessage>(IPipeConfigurator<ConsumeContext<TMessage>> configurator, bool inboxWithLoad = false)
        where T : class
        where TMessage : class
    {
        var consumerKey = $"{endpoint.InputAddress.GetEndpointName()}/{TypeCache<T>.ShortName}";
        var filter = new TransactionalConsumeFilter<TMessage>(new ConsumeScopeProvider(context), consumerKey, inboxWithLoad);
        configurator.AddPipeSpecification(new FilterPipeSpecification<ConsumeContext<TMessage>>(filter));
    }
}
