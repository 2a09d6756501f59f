using MassTransit;
using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Telemetry;

namespace Mlops.Promotion.Consumers;

/// <summary>
/// Moves the champion alias to the version, but only from the champion the evaluation saw: if another run promoted in
/// between, the move is refused rather than overwriting a decision made on other numbers.
/// </summary>
public sealed class PromoteModelConsumer(DbSession session, ModelRegistry registry, MessageAudit audit, ILogger<PromoteModelConsumer> logger) : IConsumer<PromoteModel>
{
    public async Task Consume(ConsumeContext<PromoteModel> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;
        using var activity = MlopsTelemetry.StartStep("promote", message.CorrelationId, message.ModelName, message.Environment, message.Version);

        ModelName name;
        try
        {
            name = ModelName.Parse(message.ModelName, message.Environment);
        }
        catch (ArgumentException exception)
        {
            await RejectAsync(context, exception.Message);
            return;
        }

        var current = await registry.FindAliasAsync(session, name.FullName, ModelAliases.Champion, cancellationToken);
        if (current == message.Version)
        {
            // Already done, by this command sent before or by an earlier run: answer the same way, move nothing.
            var history = await registry.AliasHistoryAsync(name.FullName, ModelAliases.Champion, cancellationToken);
            var previous = history.LastOrDefault(change => change.ToVersion == message.Version)?.FromVersion;
            await PublishPromotedAsync(context, previous);
            return;
        }

        var target = await registry.FindVersionAsync(session, name.FullName, message.Version, cancellationToken);
        if (target is not { Status: "ready" })
        {
            await RejectAsync(context, target is null ? $"{name} has no version {message.Version}." : $"{name} v{message.Version} is {target.Status}; it cannot be champion.");
            return;
        }

        try
        {
            await registry.SetAliasAsync(session, name.FullName, ModelAliases.Champion, message.Version, message.ExpectedChampionVersion,
                message.Principal, $"promoted from {Describe(message.ExpectedChampionVersion)} by pipeline run {message.CorrelationId}",
                message.CorrelationId, cancellationToken);
        }
        catch (AliasConflictException conflict) when (conflict.Actual == message.Version)
        {
            // A copy of this command won the race: the outcome is the one asked for.
            await PublishPromotedAsync(context, message.ExpectedChampionVersion);
            return;
        }
        catch (AliasConflictException conflict)
        {
            await RejectAsync(context,
                $"The champion of {name} is now {Describe(conflict.Actual)}, not {Describe(conflict.Expected)} as the evaluation saw; v{message.Version} was not promoted.");
            return;
        }

        await audit.AppendAsync(session, context, message.Principal, "alias.set", $"model:{name.FullName}@{message.Version}",
            $"champion: {Describe(message.ExpectedChampionVersion)} -> v{message.Version} by pipeline run {message.CorrelationId}");
        logger.LogInformation("Promoted {ModelName} v{Version} to champion (was {Previous})", name, message.Version, message.ExpectedChampionVersion);
        await PublishPromotedAsync(context, message.ExpectedChampionVersion);
    }

    private static string Describe(int? version) => version is { } v ? $"v{v}" : "no champion";

    private static Task PublishPromotedAsync(ConsumeContext<PromoteModel> context, int? previous) =>
        context.Publish(new ModelPromoted
        {
            CorrelationId = context.Message.CorrelationId, ModelName = context.Message.ModelName, Environment = context.Message.Environment,
            Principal = context.Message.Principal, Version = context.Message.Version, PreviousVersion = previous,
        }, context.CancellationToken);

    private async Task RejectAsync(ConsumeContext<PromoteModel> context, string reason)
    {
        await audit.AppendAsync(session, context, context.Message.Principal, "alias.set", $"model:{context.Message.ModelName}@{context.Message.Version}",
            "champion not moved: " + reason, AuditOutcomes.Failed);
        logger.LogWarning("Promotion of {ModelName} v{Version} rejected: {Reason}", context.Message.ModelName, context.Message.Version, reason);
        await context.Publish(new PromotionRejected
        {
            CorrelationId = context.Message.CorrelationId, ModelName = context.Message.ModelName, Environment = context.Message.Environment,
            Principal = context.Message.Principal, Version = context.Message.Version, Reason = reason,
        }, context.CancellationToken);
    }
}
