using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Sagas;
using Mlops.Orchestrator.Admission;
using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Consumers;
using Mlops.Orchestrator.Sagas;

namespace Mlops.Orchestrator;

public static class OrchestratorExtensions
{
    /// <summary>The run saga's table, created by Migrations/pipeline.</summary>
    public const string RunsTable = "pipeline.deploy_code_pipeline_runs";

    /// <summary>Everything the orchestrator service adds to the Mlops defaults: admission of triggers and the deploy-code pipeline saga.</summary>
    public static IHostApplicationBuilder AddOrchestratorService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PipelineOptions>, PipelineOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AdmissionStore>();
        builder.Services.AddSingleton<PipelineAdmission>();
        builder.Services.AddMlopsMigrations(typeof(OrchestratorExtensions).Assembly);

        builder.AddMlopsMessaging(bus =>
        {
            bus.AddConsumer<PipelineRequestedConsumer, AdmissionConsumerDefinition<PipelineRequestedConsumer>>();
            bus.AddConsumer<TrainingCodeReleasedConsumer, AdmissionConsumerDefinition<TrainingCodeReleasedConsumer>>();
            bus.AddConsumer<RawDataLandedConsumer, AdmissionConsumerDefinition<RawDataLandedConsumer>>();
            bus.AddSagaStateMachine<DeployCodePipelineStateMachine, DeployCodePipelineState, DeployCodePipelineStateDefinition>()
                .PostgresRepository(RunsTable);
        });
        return builder;
    }
}
