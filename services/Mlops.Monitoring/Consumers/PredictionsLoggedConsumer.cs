using MassTransit;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring.Consumers;

/// <summary>
/// Counts each logged batch of predictions into its model's windows as it is committed, so drift later costs O(bins).
/// The batch is recorded as counted in the same transaction: announced again, under any message id, it counts nothing.
/// </summary>
public sealed class PredictionsLoggedConsumer(DbSession session, PredictionIngestion ingestion) : IConsumer<PredictionsLogged>
{
    public async Task Consume(ConsumeContext<PredictionsLogged> context)
    {
        var message = context.Message;
        try
        {
            ModelName.Parse(message.ModelName, message.Environment);
        }
        catch (ArgumentException exception)
        {
            throw new UnrecoverableMessageException($"PredictionsLogged for batch {message.BatchId} names no valid model: {exception.Message}", exception);
        }
        if (message.BatchId == Guid.Empty)
            throw new UnrecoverableMessageException($"PredictionsLogged for {message.ModelName} carries no BatchId: there is no batch to count.");

        await ingestion.IngestAsync(session, message, context.CancellationToken);
    }
}
