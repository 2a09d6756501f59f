using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

public sealed class FakeEvaluationConsumer(FakeWorkerScript script) : IConsumer<EvaluateChallenger>
{
    public async Task Consume(ConsumeContext<EvaluateChallenger> context)
    {
        var command = context.Message;
        if (!script.Answers(command.CorrelationId, command.ModelName, command))
            return;

        var rejects = script.For(command.ModelName).RejectsChallenger;
        await context.Publish(new ChallengerEvaluated
        {
            CorrelationId = command.CorrelationId, ModelName = command.ModelName, Environment = command.Environment, Principal = "promotion",
            ChallengerVersion = command.Version, ChampionVersion = FakeWorkerScript.Champion, Metric = "auc",
            ChallengerScore = 0.81, ChampionScore = 0.78, RequiredScore = 0.79, HoldoutRows = 1000, Promote = !rejects,
            Reason = rejects ? "auc 0.81 falls short of the required 0.82" : "auc 0.81 beats the champion's 0.78",
        });
    }
}
