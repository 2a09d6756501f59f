using MassTransit;
using Mlops.Contracts;
using Mlops.Serving.Models;

namespace Mlops.Serving.Consumers;

/// <summary>
/// Hot swap: when an alias of a served model moves, this instance loads the new version and swaps to it. Every serving
/// instance has its own temporary queue for these events (see the definition), so all replicas swap, not just one; a message
/// missed while that queue did not exist is covered by <see cref="ModelReconciler"/>.
/// </summary>
public sealed class ChampionChangedConsumer(ServedModels models) : IConsumer<ModelPromoted>, IConsumer<ModelRolledBack>, IConsumer<ChallengerEvaluated>
{
    public Task Consume(ConsumeContext<ModelPromoted> context) => models.RefreshAsync(context.Message.ModelName, context.CancellationToken);

    public Task Consume(ConsumeContext<ModelRolledBack> context) => models.RefreshAsync(context.Message.ModelName, context.CancellationToken);

    /// <summary>Only an accepted challenger is (re)loaded; a rejected one is dropped from canary and shadow traffic at once.</summary>
    public Task Consume(ConsumeContext<ChallengerEvaluated> context) => context.Message.Promote
        ? models.RefreshAsync(context.Message.ModelName, context.CancellationToken)
        : models.RejectChallengerAsync(context.Message.ModelName, context.Message.ChallengerVersion, context.CancellationToken);
}
