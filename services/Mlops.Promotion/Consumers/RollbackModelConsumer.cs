using MassTransit;
using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Telemetry;

namespace Mlops.Promotion.Consumers;

/// <summary>
/// Moves the champion back: to the version the operator names, or to the champion before the current one, as the alias
/// history records it. A rollback sent again is recognised by its run id in that history and answered, not repeated.
/// Only a version that was champion before (per the alias history) is a target, unless the operator overrides that with a
/// reason: a version that never served, e.g. one the evaluation rejected, must not become champion by a mistyped number.
/// An archived version is never a target. Every refusal is answered with RollbackFailed and its reason.
/// </summary>
public sealed class RollbackModelConsumer(DbSession session, ModelRegistry registry, MessageAudit audit, ILogger<RollbackModelConsumer> logger) : IConsumer<RollbackModel>
{
    /// <summary>Starts the reason of every rollback in the alias history, telling it apart from a promotion of the same run.</summary>
    public const string ReasonPrefix = "rollback";

    public async Task Consume(ConsumeContext<RollbackModel> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;
        using var activity = MlopsTelemetry.StartStep("rollback", message.CorrelationId, message.ModelName, message.Environment);

        ModelName name;
        try
        {
            name = ModelName.Parse(message.ModelName, message.Environment);
        }
        catch (ArgumentException exception)
        {
            await FailAsync(context, exception.Message);
            return;
        }

        if (await registry.FindModelAsync(name.FullName, cancellationToken) is null)
        {
            await FailAsync(context, $"{name} is not a registered model.");
            return;
        }

        var history = await registry.AliasHistoryAsync(name.FullName, ModelAliases.Champion, cancellationToken);
        var earlier = message.CorrelationId == Guid.Empty
            ? null
            : history.LastOrDefault(change => change.PipelineRunId == message.CorrelationId && change.Reason.StartsWith(ReasonPrefix, StringComparison.Ordinal));
        if (earlier is { FromVersion: { } from } done)
        {
            await PublishRolledBackAsync(context, from, done.ToVersion);
            return;
        }

        var current = await registry.FindAliasAsync(session, name.FullName, ModelAliases.Champion, cancellationToken);
        if (current is not { } champion)
        {
            await FailAsync(context, $"{name} has no champion to roll back.");
            return;
        }

        int target;
        if (message.ToVersion is { } requested)
        {
            target = requested;
        }
        else if (history.LastOrDefault(change => change.ToVersion == champion)?.FromVersion is { } previous)
        {
            target = previous;
        }
        else
        {
            await FailAsync(context, $"The alias history of {name} has no champion before v{champion}; name the version to roll back to.");
            return;
        }

        if (target == champion)
        {
            await FailAsync(context, $"v{target} already is the champion of {name}; there is nothing to roll back.");
            return;
        }

        var version = await registry.FindVersionAsync(session, name.FullName, target, cancellationToken);
        if (version is not { Status: "ready" })
        {
            await FailAsync(context, version is null ? $"{name} has no version {target}." : $"{name} v{target} is {version.Status}; it cannot be champion again.");
            return;
        }

        var formerChampion = history.Any(change => change.ToVersion == target);
        if (!formerChampion && TargetProblem(name, target, message) is { } problem)
        {
            await FailAsync(context, problem);
            return;
        }

        var reason = (formerChampion, string.IsNullOrWhiteSpace(message.Reason)) switch
        {
            (false, _) => $"{ReasonPrefix} from v{champion} (override: v{target} was never champion): {message.Reason}",
            (true, true) => $"{ReasonPrefix} from v{champion}",
            (true, false) => $"{ReasonPrefix} from v{champion}: {message.Reason}",
        };
        await registry.SetAliasAsync(session, name.FullName, ModelAliases.Champion, target, champion, message.Principal, reason,
            message.CorrelationId == Guid.Empty ? null : message.CorrelationId, cancellationToken);

        await audit.AppendAsync(session, context, message.Principal, "rollback", $"model:{name.FullName}@{target}", reason);
        logger.LogWarning("Rolled {ModelName} back from v{From} to v{To}: {Reason}", name, champion, target, reason);
        await PublishRolledBackAsync(context, champion, target);
    }

    /// <summary>Why a version that was never champion cannot be rolled back to, or null when the override allows it.</summary>
    private static string? TargetProblem(ModelName name, int target, RollbackModel message)
    {
        if (!message.Override)
            return $"{name} v{target} was never champion, so it is no rollback target; only a former champion is. " +
                   "To make it champion anyway, roll back with an override and a reason (mlops rollback --to N --override --reason \"...\").";
        if (string.IsNullOrWhiteSpace(message.Reason))
            return $"A rollback of {name} to v{target}, which was never champion, overrides the rule and needs a reason.";
        return null;
    }

    private static Task PublishRolledBackAsync(ConsumeContext<RollbackModel> context, int from, int to) =>
        context.Publish(new ModelRolledBack
        {
            CorrelationId = context.Message.CorrelationId, ModelName = context.Message.ModelName, Environment = context.Message.Environment,
            Principal = context.Message.Principal, FromVersion = from, ToVersion = to, Reason = context.Message.Reason,
        }, context.CancellationToken);

    private async Task FailAsync(ConsumeContext<RollbackModel> context, string reason)
    {
        await audit.AppendAsync(session, context, context.Message.Principal, "rollback", "model:" + context.Message.ModelName, reason, AuditOutcomes.Failed);
        logger.LogWarning("Rollback of {ModelName} failed: {Reason}", context.Message.ModelName, reason);
        await context.Publish(new RollbackFailed
        {
            CorrelationId = context.Message.CorrelationId, ModelName = context.Message.ModelName, Environment = context.Message.Environment,
            Principal = context.Message.Principal, Reason = reason,
        }, context.CancellationToken);
    }
}
