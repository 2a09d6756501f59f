using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

public sealed class FakeFeatureRefreshConsumer(FakeWorkerScript script) : IConsumer<RefreshFeatures>
{
    public async Task Consume(ConsumeContext<RefreshFeatures> context)
    {
        var command = context.Message;
        if (!script.Answers(command.CorrelationId, command.ModelName, command))
            return;

        var violations = script.For(command.ModelName).Violations;
        if (violations.Count > 0)
        {
            await context.Publish(new DataQualityViolated
            {
                CorrelationId = command.CorrelationId, ModelName = command.ModelName, Environment = command.Environment, Principal = "feature-refresh",
                Source = "feature_refresh", FeatureTable = command.FeatureTable, Violations = violations,
            });
            return;
        }

        await context.Publish(new FeatureTableRefreshed
        {
            CorrelationId = command.CorrelationId, ModelName = command.ModelName, Environment = command.Environment, Principal = "feature-refresh",
            FeatureTable = command.FeatureTable, FeatureVersion = FakeWorkerScript.FeatureVersion, RowCount = 5000,
            RawBatchIds = command.RawBatchId is { } batch ? [batch] : [],
        });
    }
}
