using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Retention;
using Mlops.Hosting.Sagas;
using Mlops.Orchestrator.Admission;
using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Consumers;
using Mlops.Orchestrator.Sagas;
using Mlops.Orchestrator.Scheduling;
using Mlops.Orchestrator.Sweeping;

namespace Mlops.Orchestrator;

public static class OrchestratorExtensions
{
    /// <summary>The run saga's table, created by Migrations/pipeline.</summary>
    public const string RunsTable = "pipeline.deploy_code_pipeline_runs";

    /// <summary>Everything the orchestrator service adds to the Mlops defaults: admission of triggers and follow-up runs, the retraining scheduler, the sweeper of stuck runs and the deploy-code pipeline saga.</summary>
    public static IHostApplicationBuilder AddOrchestratorService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PipelineOptions>, PipelineOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddMlopsCatalog();
        builder.Services.AddSingleton<AdmissionStore>();
        builder.Services.AddSingleton<CodePromotionRule>();
        builder.Services.AddSingleton<PipelineAdmission>();
        builder.Services.AddSingleton<FollowUpAdmission>();
        builder.Services.AddSingleton<ScheduleStore>();
        builder.Services.AddMlopsMigrations(typeof(OrchestratorExtensions).Assembly);
        builder.Services.AddMlopsRetentionRule(OrchestratorRetention.PipelineTriggers);

        builder.AddMlopsMessaging(bus =>
        {
            bus.AddConsumer<PipelineRequestedConsumer, AdmissionConsumerDefinition<PipelineRequestedConsumer>>();
            bus.AddConsumer<TrainingCodeReleasedConsumer, AdmissionConsumerDefinition<TrainingCodeReleasedConsumer>>();
            bus.AddConsumer<RawDataLandedConsumer, AdmissionConsumerDefinition<RawDataLandedConsumer>>();
            bus.AddConsumer<DriftDetectedConsumer, AdmissionConsumerDefinition<DriftDetectedConsumer>>();
            bus.AddConsumer<ModelPerformanceDegradedConsumer, AdmissionConsumerDefinition<ModelPerformanceDegradedConsumer>>();
            bus.AddConsumer<PipelineScheduleDueConsumer, AdmissionConsumerDefinition<PipelineScheduleDueConsumer>>();
            bus.AddConsumer<PipelineRunFinishedConsumer, AdmissionConsumerDefinition<PipelineRunFinishedConsumer>>();
            bus.AddSagaStateMachine<DeployCodePipelineStateMachine, DeployCodePipelineState, DeployCodePipelineStateDefinition>()
                .PostgresRepository(RunsTable);
        });

        // A singleton as well as a hosted service, so a look at the schedules can also be asked for (tests, tools).
        builder.Services.AddSingleton<RetrainingScheduler>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<RetrainingScheduler>());
        builder.Services.AddSingleton<StuckRunSweeper>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<StuckRunSweeper>());
        return builder;
    }
}
