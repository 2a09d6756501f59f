using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

public sealed class FakeComplianceConsumer(FakeWorkerScript script) : IConsumer<CheckCompliance>
{
    public async Task Consume(ConsumeContext<CheckCompliance> context)
    {
        var command = context.Message;
        if (!script.Answers(command.CorrelationId, command.ModelName, command))
            return;

        await context.Publish(new ComplianceCheckPassed
        {
            CorrelationId = command.CorrelationId, ModelName = command.ModelName, Environment = command.Environment, Principal = "compliance",
            Version = command.Version, Mode = "enforced",
        });
    }
}
