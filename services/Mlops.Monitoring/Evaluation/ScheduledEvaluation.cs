using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using Mlops.Monitoring.Windows;
using Npgsql;

namespace Mlops.Monitoring.Evaluation;

/// <summary>
/// Every <see cref="MonitoringOptions.EvaluationInterval"/>, evaluates the models whose closed windows changed since their
/// last evaluation, each in its own transaction whose events go out through the outbox. A model that fails is logged
/// and tried again at the next tick; the others go on.
/// </summary>
public sealed class ScheduledEvaluation(
    IServiceScopeFactory scopes,
    WindowStore windows,
    ModelEvaluator evaluator,
    OutboxPublisher outbox,
    IOptions<MonitoringOptions> options,
    ILogger<ScheduledEvaluation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.EvaluateOnSchedule)
            return;

        using var timer = new PeriodicTimer(options.Value.EvaluationInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await EvaluateDueAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Looking for windows due for evaluation failed; trying again in {Interval}", options.Value.EvaluationInterval);
            }
        }
    }

    private async Task EvaluateDueAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> models;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var session = scope.ServiceProvider.GetRequiredService<DbSession>();
            await session.BeginAsync(cancellationToken);
            models = await windows.ModelsDueAsync(session, options.Value.WindowGrace, cancellationToken);
            await session.CommitAsync(cancellationToken);
        }

        foreach (var model in models)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var session = scope.ServiceProvider.GetRequiredService<DbSession>();
                await session.BeginAsync(cancellationToken);
                await evaluator.EvaluateAsync(session, outbox.For(session), ModelName.Parse(model), cancellationToken);
                await session.CommitAsync(cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogError(exception, "Evaluating the windows of {ModelName} failed; it is tried again at the next evaluation", model);
            }
        }
    }
}
