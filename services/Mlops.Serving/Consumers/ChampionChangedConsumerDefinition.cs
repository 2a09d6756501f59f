using MassTransit;

namespace Mlops.Serving.Consumers;

public sealed class ChampionChangedConsumerDefinition : ConsumerDefinition<ChampionChangedConsumer>
{
    public ChampionChangedConsumerDefinition()
    {
        // One queue per serving instance, removed when it disconnects: each replica must hear every alias change.
        Endpoint(endpoint =>
        {
            endpoint.Name = $"serving-alias-changes-{Guid.NewGuid():N}";
            endpoint.Temporary = true;
        });
    }
}
