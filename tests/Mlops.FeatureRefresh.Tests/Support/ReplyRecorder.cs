using MassTransit;
using Mlops.Contracts;

namespace Mlops.FeatureRefresh.Tests.Support;

/// <summary>Stands in for the saga and the upstream listeners: records what the services under test publish.</summary>
public sealed class ReplyRecorder(RecordedMessages recorded)
    : IConsumer<RawDataLanded>, IConsumer<FeatureTableRefreshed>, IConsumer<DataQualityViolated>, IConsumer<FeatureRefreshFailed>
{
    public Task Consume(ConsumeContext<RawDataLanded> context) => Record(context.Message);

    public Task Consume(ConsumeContext<FeatureTableRefreshed> context) => Record(context.Message);

    public Task Consume(ConsumeContext<DataQualityViolated> context) => Record(context.Message);

    public Task Consume(ConsumeContext<FeatureRefreshFailed> context) => Record(context.Message);

    private Task Record(object message)
    {
        recorded.Add(message);
        return Task.CompletedTask;
    }
}
