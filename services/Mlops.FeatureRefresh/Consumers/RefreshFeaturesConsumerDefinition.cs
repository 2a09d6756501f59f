using MassTransit;
using Microsoft.Extensions.Options;

namespace Mlops.FeatureRefresh.Consumers;

public sealed class RefreshFeaturesConsumerDefinition : ConsumerDefinition<RefreshFeaturesConsumer>
{
    public RefreshFeaturesConsumerDefinition(IOptions<FeatureRefreshOptions> options)
    {
        // Each refresh holds a whole batch in memory, so one instance takes only a few at a time however large the prefetch.
        ConcurrentMessageLimit = options.Value.ConcurrentRefreshes;
    }
}
