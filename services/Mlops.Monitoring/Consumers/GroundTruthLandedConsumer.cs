using MassTransit;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring.Consumers;

/// <summary>
/// Keeps the labels of served predictions for performance monitoring. A label for a prediction not logged (yet) is kept:
/// ground truth may overtake its prediction. Labels other than 0 and 1 break the contract: the whole message is refused.
/// </summary>
public sealed class GroundTruthLandedConsumer(DbSession session, GroundTruth groundTruth, MessageAudit audit, ILogger<GroundTruthLandedConsumer> logger)
    : IConsumer<GroundTruthLanded>
{
    public async Task Consume(ConsumeContext<GroundTruthLanded> context)
    {
        var message = context.Message;
        try
        {
            ModelName.Parse(message.ModelName, message.Environment);
        }
        catch (ArgumentException exception)
        {
            throw new UnrecoverableMessageException($"GroundTruthLanded names no valid model: {exception.Message}", exception);
        }

        var invalid = message.Labels.FirstOrDefault(l => l.Label is not (0 or 1));
        if (invalid is not null)
            throw new UnrecoverableMessageException(
                $"GroundTruthLanded for {message.ModelName} labels request {invalid.RequestId} row {invalid.RowIndex} with {invalid.Label}; labels are 0 or 1.");

        var (changed, windowsMarked) = await groundTruth.StoreAsync(session, message.ModelName, message.Labels, context.CancellationToken);
        await audit.AppendAsync(session, context, message.Principal, "ground_truth.stored", "model:" + message.ModelName,
            $"{changed} new or corrected of {message.Labels.Count} labels");
        logger.LogInformation("Stored {Changed} new or corrected of {Labels} labels for {ModelName}; {Windows} windows will be evaluated again",
            changed, message.Labels.Count, message.ModelName, windowsMarked);
    }
}
