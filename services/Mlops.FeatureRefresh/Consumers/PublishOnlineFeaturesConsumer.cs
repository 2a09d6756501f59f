using MassTransit;
using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;

namespace Mlops.FeatureRefresh.Consumers;

/// <summary>
/// Publishes every feature table version that passed its checks to the online store, for Serving's lookups by entity key:
/// its rows are upserted into the online table of its environment, in the inbox-guarded transaction of this message. A
/// version published already (a redelivery, or the same event again) writes nothing; one arriving after a newer version
/// replaces no row the newer one wrote (see <see cref="OnlineStore"/>).
/// </summary>
public sealed partial class PublishOnlineFeaturesConsumer(DbSession session, OnlineStore onlineStore, MessageAudit audit,
    ILogger<PublishOnlineFeaturesConsumer> logger) : IConsumer<FeatureTableRefreshed>
{
    public async Task Consume(ConsumeContext<FeatureTableRefreshed> context)
    {
        var message = context.Message;
        if (!SqlIdentifier.IsValid(message.FeatureTable) || message.FeatureVersion <= 0)
            throw new UnrecoverableMessageException(
                $"FeatureTableRefreshed names no feature table version to publish: table '{message.FeatureTable}', version {message.FeatureVersion}.");

        OnlinePublication publication;
        try
        {
            publication = await onlineStore.PublishAsync(session, message.FeatureTable, message.FeatureVersion, context.CancellationToken);
        }
        catch (Exception exception) when (exception is KeyNotFoundException or InvalidOperationException)
        {
            throw new UnrecoverableMessageException($"Cannot publish {message.FeatureTable} version {message.FeatureVersion} online: {exception.Message}", exception);
        }
        if (publication.Environment != message.Environment)
            throw new UnrecoverableMessageException(
                $"FeatureTableRefreshed says {message.FeatureTable} version {message.FeatureVersion} is {message.Environment}'s, but it was computed in {publication.Environment}.");

        if (publication.AlreadyPublished)
        {
            LogAlreadyPublished(message.FeatureTable, message.FeatureVersion, publication.Environment);
            return;
        }
        await audit.AppendAsync(session, context, message.Principal, "features.published", $"features:{message.FeatureTable}@{message.FeatureVersion}",
            $"{publication.RowsWritten} of {publication.RowCount} rows online in {publication.Environment}");
        LogPublished(message.FeatureTable, message.FeatureVersion, publication.Environment, publication.RowsWritten, publication.RowCount);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Published {FeatureTable} version {Version} online in {Environment}: {RowsWritten} of {RowCount} rows written (the others hold a newer version)")]
    private partial void LogPublished(string featureTable, int version, string environment, long rowsWritten, long rowCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "{FeatureTable} version {Version} is already online in {Environment}; nothing written")]
    private partial void LogAlreadyPublished(string featureTable, int version, string environment);
}
