using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Compliance.Consumers;
using Mlops.Hosting.Messaging;

namespace Mlops.Compliance;

public static class ComplianceExtensions
{
    /// <summary>Everything the compliance service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddComplianceService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMlopsCatalog();
        builder.Services.AddOptions<ComplianceOptions>().BindConfiguration(ComplianceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ComplianceOptions>, ComplianceOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ComplianceRules>();
        builder.AddMlopsMessaging(bus =>
        {
            bus.AddConsumer<CheckComplianceConsumer>();
        });
        return builder;
    }
}
