using MassTransit;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Monitoring.Evaluation;

namespace Mlops.Monitoring.Consumers;

/// <summary>
/// Evaluates a model's closed windows now rather than at the next scheduled evaluation. Asking again changes nothing:
/// evaluated windows are not due until they change, and open alerts are not raised twice.
/// </summary>
public sealed class MonitorModelConsumer(DbSession session, ModelEvaluator evaluator, MessageAudit audit, ILogger<MonitorModelConsumer> logger) : IConsumer<MonitorModel>
{
    public async Task Consume(ConsumeContext<MonitorModel> context)
    {
        var message = context.Message;
        ModelName model;
        try
        {
            model = ModelName.Parse(message.ModelName, message.Environment);
        }
        catch (ArgumentException exception)
        {
            throw new UnrecoverableMessageException($"MonitorModel names no valid model: {exception.Message}", exception);
        }

        var evaluated = await evaluator.EvaluateAsync(session, context, model, context.CancellationToken);
        await audit.AppendAsync(session, context, message.Principal, "model.monitored", "model:" + model.FullName, $"{evaluated} windows evaluated");
        logger.LogInformation("{Principal} asked to monitor {ModelName}: {Windows} windows were due", message.Principal, model.FullName, evaluated);
    }
}
