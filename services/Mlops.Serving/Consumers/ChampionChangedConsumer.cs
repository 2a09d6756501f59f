using MassTransit;
using Mlops.Contracts;
using Mlops.Serving.Models;

namespace Mlops.Serving.Consumers;

/// <summary>
/// Hot swap: when an alias of a served model moves, this instance loads the new version and swaps to it. Every serving
/// instance has its own temporary queue for these events (see the definition), so all replicas swap, not just one.
/// </summary>
public sealed class ChampionChangedConsumer(ServedModels models) : IConsumer<ModelPromoted>, IConsumer<ModelRolledBack>, IConsumer<ChallengerEvaluated>
{
    public Task Consume(ConsumeContext<ModelPromoted> context) => models.RefreshAsync(context.Message.ModelName, context.CancellationToken);

    public Task Consume(ConsumeContext<ModelRolledBack> context) => models.RefreshAsync(context.Message.ModelName, context.CancellationToken);

    public Task Consume(ConsumeContext<ChallengerEvaluated> context) => models.RefreshAsync(context.Message.ModelName, context.CancellationToken);
}
