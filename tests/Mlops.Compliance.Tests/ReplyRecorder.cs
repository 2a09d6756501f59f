using MassTransit;
using Mlops.Contracts;

namespace Mlops.Compliance.Tests;

/// <summary>Stands in for the orchestrator: keeps every compliance reply for the test to look at.</summary>
public sealed class ReplyRecorder(Replies replies) : IConsumer<ComplianceCheckPassed>, IConsumer<ComplianceCheckFailed>
{
    public Task Consume(ConsumeContext<ComplianceCheckPassed> context) => Record(context.Message);

    public Task Consume(ConsumeContext<ComplianceCheckFailed> context) => Record(context.Message);

    private Task Record(object message)
    {
        replies.Add(message);
        return Task.CompletedTask;
    }
}
