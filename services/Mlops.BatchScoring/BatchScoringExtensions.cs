using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.BatchScoring.Consumers;
using Mlops.BatchScoring.Scheduling;
using Mlops.BatchScoring.Scoring;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Retention;
using Mlops.Hosting.Steps;

namespace Mlops.BatchScoring;

public static class BatchScoringExtensions
{
    /// <summary>Everything the batch scoring service adds to the Mlops defaults: the job consumers, the leased scoring step, the scheduler.</summary>
    public static IHostApplicationBuilder AddBatchScoringService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BatchScoringOptions>().BindConfiguration(BatchScoringOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BatchScoringOptions>, BatchScoringOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMlopsCatalog();
        builder.Services.AddMlopsMigrations(typeof(BatchScoringExtensions).Assembly);
        builder.Services.AddMlopsRetentionRule(BatchScoringRetention.ScoringJobs);
        builder.Services.AddSingleton<JobProgress>();
        builder.Services.AddSingleton<ChunkWriter>();
        builder.Services.AddSingleton<BatchScheduleStore>();

        builder.AddMlopsMessaging(bus =>
        {
            bus.AddConsumer<ScoreBatchConsumer>();
            bus.AddConsumer<ScoreAfterPromotionConsumer>();
        });
        // The consumer only records the job's lease; the worker scores, as many jobs at once as the instance may.
        builder.AddMlopsStep<ScoreBatch, ScoreBatchStep>(ScoreBatchStep.Name,
            provider => provider.GetRequiredService<IOptions<BatchScoringOptions>>().Value.MaxConcurrentJobs);
        builder.Services.AddSingleton<BatchScheduler>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<BatchScheduler>());
        return builder;
    }
}
