using System.Collections.Concurrent;
using MassTransit;
using Mlops.Hosting.Tests.Messages;

namespace Mlops.Hosting.Tests.Consumers;

/// <summary>Fails its first <see cref="Measured.FailTimes"/> attempts; a message type of its own, so its counts are only the metrics test's.</summary>
public sealed class MeasuredConsumer : IConsumer<Measured>
{
    public static readonly ConcurrentDictionary<Guid, int> Attempts = new();
    public static readonly ConcurrentDictionary<Guid, int> Done = new();

    public Task Consume(ConsumeContext<Measured> context)
    {
        var attempt = Attempts.AddOrUpdate(context.Message.MeasuredId, 1, (_, n) => n + 1);
        if (attempt <= context.Message.FailTimes)
            throw new InvalidOperationException($"Attempt {attempt} of {context.Message.MeasuredId} broke.");
        Done.AddOrUpdate(context.Message.MeasuredId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }
}
