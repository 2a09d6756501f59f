using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

public sealed class FakePromotionConsumer(FakeWorkerScript script) : IConsumer<PromoteModel>
{
    public async Task Consume(ConsumeContext<PromoteModel> context)
    {
        var command = context.Message;
        if (!script.Answers(command.CorrelationId, command.ModelName, command))
            return;

        await context.Publish(new ModelPromoted
        {
            CorrelationId = command.CorrelationId, ModelName = command.ModelName, Environment = command.Environment, Principal = "promotion",
            Version = command.Version, PreviousVersion = command.ExpectedChampionVersion,
        });
    }
}
