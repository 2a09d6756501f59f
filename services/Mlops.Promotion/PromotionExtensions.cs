using Mlops.Catalog;
using Mlops.Hosting.Messaging;

namespace Mlops.Promotion;

public static class PromotionExtensions
{
    /// <summary>Everything the promotion service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddPromotionService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMlopsCatalog();
        builder.AddMlopsMessaging(bus =>
        {
        });
        return builder;
    }
}
