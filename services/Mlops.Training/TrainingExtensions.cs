using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Steps;
using Mlops.Training.Consumers;
using Mlops.Training.Trainers;
using Mlops.Training.Trainers.External;
using Mlops.Training.Trainers.LogisticRegression;

namespace Mlops.Training;

public static class TrainingExtensions
{
    /// <summary>Everything the training service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddTrainingService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrainingOptions>().BindConfiguration(TrainingOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Models.Keys.All(key => ModelName.TryParse(key, out _, out _)),
                "Every key under Training:Models must be a model's full name, catalog.schema.model (e.g. dev.ml.churn).")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TrainingOptions>, ExternalTrainersValidator>();
        builder.Services.AddMlopsCatalog();
        builder.Services.AddSingleton<ITrainer, LogisticRegressionTrainer>();
        builder.Services.AddSingleton<ExternalTrainerRunner>();
        builder.Services.AddHostedService<TrainerWorkSweeper>();
        builder.Services.AddSingleton<TrainerCatalog>();
        builder.Services.AddSingleton<ModelTraining>();
        builder.AddMlopsMessaging(bus => bus.AddConsumer<TrainModelConsumer>());
        // The consumer only records the step; the worker trains, as many at once as the service may.
        builder.AddMlopsStep<TrainModel, TrainModelStep>(TrainModelStep.Name,
            provider => provider.GetRequiredService<IOptions<TrainingOptions>>().Value.MaxConcurrentTrainings);
        return builder;
    }
}
