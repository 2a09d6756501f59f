using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Hosting.Messaging;
using Mlops.Promotion.Consumers;

namespace Mlops.Promotion;

public static class PromotionExtensions
{
    /// <summary>Everything the promotion service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddPromotionService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMlopsCatalog();
        builder.Services.AddOptions<PromotionOptions>().BindConfiguration(PromotionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PromotionOptions>, PromotionOptionsValidator>();
        builder.Services.AddSingleton<HoldoutEvaluator>();
        builder.AddMlopsMessaging(bus =>
        {
            bus.AddConsumer<EvaluateChallengerConsumer>();
            bus.AddConsumer<PromoteModelConsumer>();
            bus.AddConsumer<RollbackModelConsumer>();
        });
        return builder;
    }
}
