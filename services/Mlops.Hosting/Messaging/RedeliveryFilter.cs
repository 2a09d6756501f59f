using System.Runtime.ExceptionServices;
using MassTransit;
using Microsoft.Extensions.Logging;
using Mlops.Hosting.Outbox;
using Mlops.Hosting.Telemetry;

namespace Mlops.Hosting.Messaging;

/// <summary>
/// Outside the immediate retries on every endpoint: a message whose consumer still fails is sent back to its own queue
/// through the outbox, due after the next redelivery interval (the same MessageId, so the inbox still makes it idempotent).
/// A transient failure is redelivered for ever at the last interval and never dead-lettered; any other failure is
/// dead-lettered once the intervals are used up; <see cref="UnrecoverableMessageException"/> is dead-lettered at once.
/// </summary>
public sealed partial class RedeliveryFilter<TMessage>(RedeliveryScheduler scheduler, IReadOnlyList<TimeSpan> intervals, ILogger logger)
    : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (Exception exception) when (exception is not UnrecoverableMessageException and not RedeliveryUnavailableException
                                          && !context.CancellationToken.IsCancellationRequested)
        {
            var redeliveries = MlopsHeaders.RedeliveriesOf(context);
            var transient = TransientFailures.IsTransient(exception);
            if (!transient && redeliveries >= intervals.Count)
                ExceptionDispatchInfo.Throw(exception);

            var delay = intervals[Math.Min(redeliveries, intervals.Count - 1)];
            LogRedelivering(exception, TypeCache<TMessage>.ShortName, context.MessageId, redeliveries + 1, delay.TotalSeconds, transient);
            await scheduler.ScheduleAsync(context, redeliveries + 1, delay, exception);
            MessagingInstruments.Redelivery(TypeCache<TMessage>.ShortName, transient);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("mlopsRedelivery");

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{MessageType} {MessageId} failed; redelivery {Redelivery} in {DelaySeconds} s (transient: {Transient})")]
    private partial void LogRedelivering(Exception exception, string messageType, Guid? messageId, int redelivery, double delaySeconds, bool transient);
}
