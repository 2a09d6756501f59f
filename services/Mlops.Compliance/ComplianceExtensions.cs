using Mlops.Catalog;
using Mlops.Hosting.Messaging;

namespace Mlops.Compliance;

public static class ComplianceExtensions
{
    /// <summary>Everything the compliance service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddComplianceService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMlopsCatalog();
        builder.AddMlopsMessaging(bus =>
        {
        });
        return builder;
    }
}
