using Mlops.Catalog;
using Mlops.Hosting.Messaging;

namespace Mlops.Training;

public static class TrainingExtensions
{
    /// <summary>Everything the training service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddTrainingService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMlopsCatalog();
        builder.AddMlopsMessaging(bus =>
        {
        });
        return builder;
    }
}
