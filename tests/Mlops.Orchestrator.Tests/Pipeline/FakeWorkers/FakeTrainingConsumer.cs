using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

public sealed class FakeTrainingConsumer(FakeWorkerScript script) : IConsumer<TrainModel>
{
    public async Task Consume(ConsumeContext<TrainModel> context)
    {
        var command = context.Message;
        if (!script.Answers(command.CorrelationId, command.ModelName, command))
            return;

        await context.Publish(new ModelRegistered
        {
            CorrelationId = command.CorrelationId, ModelName = command.ModelName, Environment = command.Environment, Principal = "training",
            Version = FakeWorkerScript.ModelVersion, TrainingRunId = command.CorrelationId,
            Metrics = new Dictionary<string, double> { ["auc"] = 0.81 }, ArtifactSha256 = "ab12",
        });
    }
}
