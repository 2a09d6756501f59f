using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Telemetry;

namespace Mlops.Promotion.Consumers;

/// <summary>
/// Scores the challenger and the current champion on the same holdout rows, decides by the model's promotion policy,
/// and points the challenger alias at the version only when the evaluation accepts it: Serving routes canary and shadow
/// traffic to the challenger, so a rejected version must never be one. A rejection leaves the alias where it was (an
/// earlier version the evaluation accepted, or none). Deterministic: evaluating again gives the same numbers and decision.
/// </summary>
public sealed class EvaluateChallengerConsumer(
    DbSession session,
    ModelRegistry registry,
    HoldoutEvaluator evaluator,
    IOptions<PromotionOptions> options,
    MessageAudit audit,
    ILogger<EvaluateChallengerConsumer> logger) : IConsumer<EvaluateChallenger>
{
    public async Task Consume(ConsumeContext<EvaluateChallenger> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;
        using var activity = MlopsTelemetry.StartStep("evaluate", message.CorrelationId, message.ModelName, message.Environment, message.Version);

        try
        {
            var name = ParseName(message);
            var policy = options.Value.PolicyFor(name, message);
            var challenger = await registry.FindVersionAsync(session, name.FullName, message.Version, cancellationToken)
                ?? throw new EvaluationException($"{name} has no version {message.Version}.");
            if (challenger.Status != "ready")
                throw new EvaluationException($"{name} v{challenger.Version} is {challenger.Status}, not ready; it cannot be a challenger.");

            var championVersion = await registry.FindAliasAsync(session, name.FullName, ModelAliases.Champion, cancellationToken);
            var champion = championVersion is { } number
                ? await registry.FindVersionAsync(session, name.FullName, number, cancellationToken)
                : null;

            var holdout = await evaluator.BuildAsync(challenger, cancellationToken);
            var challengerScore = await evaluator.ScoreAsync(challenger, holdout, policy.Metric, cancellationToken);
            var championScore = champion is null ? (double?)null : await evaluator.ScoreAsync(champion, holdout, policy.Metric, cancellationToken);
            var decision = policy.Decide(challenger.Version, challengerScore, champion?.Version, championScore, holdout.RowCount);

            if (decision.Promote)
                await PointChallengerAliasAsync(message, name, challenger.Version, decision.Reason, cancellationToken);

            activity?.SetTag("mlops.evaluation.promote", decision.Promote);
            await audit.AppendAsync(session, context, message.Principal, "challenger.evaluated", $"model:{name.FullName}@{challenger.Version}",
                (decision.Promote ? "accepted, challenger alias set: " : "rejected: ") + decision.Reason);
            logger.LogInformation("Evaluated {ModelName} v{Version} against champion {Champion} on {Rows} holdout rows (seed {Seed}): {Metric} {Score} vs {ChampionScore}, promote {Promote}",
                name, challenger.Version, champion?.Version, holdout.RowCount, holdout.Seed, policy.Metric, challengerScore, championScore, decision.Promote);

            await context.Publish(new ChallengerEvaluated
            {
                CorrelationId = message.CorrelationId, ModelName = message.ModelName, Environment = message.Environment, Principal = message.Principal,
                ChallengerVersion = challenger.Version, ChampionVersion = champion?.Version, Metric = policy.Metric, ChallengerScore = challengerScore,
                ChampionScore = championScore, RequiredScore = decision.RequiredScore, HoldoutRows = holdout.RowCount, Promote = decision.Promote,
                Reason = decision.Reason,
            }, cancellationToken);

            if (!decision.Promote)
            {
                await context.Publish(new PromotionRejected
                {
                    CorrelationId = message.CorrelationId, ModelName = message.ModelName, Environment = message.Environment, Principal = message.Principal,
                    Version = challenger.Version, Reason = decision.Reason,
                }, cancellationToken);
            }
        }
        catch (EvaluationException exception)
        {
            await audit.AppendAsync(session, context, message.Principal, "challenger.evaluated", $"model:{message.ModelName}@{message.Version}",
                exception.Message, AuditOutcomes.Failed);
            logger.LogWarning("Evaluation of {ModelName} v{Version} failed: {Reason}", message.ModelName, message.Version, exception.Message);
            await context.Publish(new EvaluationFailed
            {
                CorrelationId = message.CorrelationId, ModelName = message.ModelName, Environment = message.Environment, Principal = message.Principal,
                Version = message.Version, Reason = exception.Message,
            }, cancellationToken);
        }
    }

    private async Task PointChallengerAliasAsync(EvaluateChallenger message, ModelName name, int version, string reason, CancellationToken cancellationToken)
    {
        var current = await registry.FindAliasAsync(session, name.FullName, ModelAliases.Challenger, cancellationToken);
        if (current == version)
            return;
        await registry.SetAliasAsync(session, name.FullName, ModelAliases.Challenger, version, current, message.Principal, reason,
            message.CorrelationId, cancellationToken);
    }

    private static ModelName ParseName(EvaluateChallenger message)
    {
        try
        {
            return ModelName.Parse(message.ModelName, message.Environment);
        }
        catch (ArgumentException exception)
        {
            throw new EvaluationException(exception.Message, exception);
        }
    }
}
