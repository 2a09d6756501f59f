using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Hosting;
using MassTransit;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Retention;
using Mlops.Serving.Access;
using Mlops.Serving.Consumers;
using Mlops.Serving.Inference;
using Mlops.Serving.Models;

namespace Mlops.Serving;

public static class ServingExtensions
{
    /// <summary>Everything the serving service adds to the Mlops defaults.</summary>
    public static IHostApplicationBuilder AddServingService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ServingOptions>().BindConfiguration(ServingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServingOptions>>((kestrel, serving) =>
            kestrel.Limits.MaxRequestBodySize = serving.Value.MaxRequestBytes);

        builder.Services.AddMlopsCatalog();
        builder.Services.AddServingAccess();
        builder.Services.AddMlopsMigrations(typeof(ServingExtensions).Assembly);
        builder.Services.AddMlopsRetentionRule(ServingRetention.InferenceLog);
        builder.Services.AddMlopsRetentionRule(ServingRetention.LoggedBatches);
        builder.Services.AddMlopsRetentionRule(ServingRetention.Rejects);
        builder.Services.AddSingleton<ServedModels>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<InferenceLog>();
        builder.Services.AddSingleton<InferenceLogSpill>();
        builder.Services.AddSingleton<InvocationHandler>();
        builder.Services.AddSingleton<FeatureLookup>();
        builder.Services.AddSingleton<ServingMetrics>();
        builder.Services.AddHealthChecks().AddCheck<InferenceLogHealthCheck>("inference-log", tags: ["ready"])
            .AddCheck<FeatureLookupHealthCheck>("feature-lookup", tags: ["ready"]);
        builder.Services.AddHostedService<ModelPreloader>();
        builder.Services.AddSingleton<ModelReconciler>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<ModelReconciler>());
        builder.Services.AddReceiveEndpointObserver<BusReadyObserver>();

        builder.AddMlopsMessaging(bus => bus.AddConsumer<ChampionChangedConsumer, ChampionChangedConsumerDefinition>());

        // After the bus: stopped before it (and after Kestrel, which finishes the requests in flight), so the last queued rows
        // are written and announced while the outbox still runs.
        builder.Services.AddHostedService<InferenceLogWriter>();
        return builder;
    }

    public static WebApplication MapServingEndpoints(this WebApplication app)
    {
        app.MapPost("/serving-endpoints/{model}/invocations", (string model, HttpContext http, InvocationHandler handler) => handler.HandleAsync(model, http))
            // Measured first, so refusals are counted (under "(refused)") along with every answer.
            .AddEndpointFilter(app.Services.GetRequiredService<ServingMetrics>())
            .AddEndpointFilter<CallerCheck>();
        app.MapGet("/serving-endpoints/{model}", async (string model, ServedModels models, CancellationToken cancellationToken) =>
        {
            if (!ModelName.TryParse(model, out _, out var error))
                return Results.Json(new { error_code = "INVALID_PARAMETER_VALUE", message = error }, statusCode: 400);
            var served = await models.GetAsync(model, cancellationToken);
            return served is null
                ? Results.Json(new { error_code = "RESOURCE_DOES_NOT_EXIST", message = $"Model {model} has no champion to serve." }, statusCode: 404)
                : Results.Json(new
                {
                    name = model,
                    champion = served.Champion.Version,
                    challenger = served.Challenger?.Version,
                    inputs = served.Champion.Model.Inputs,
                });
        }).AddEndpointFilter<CallerCheck>();
        return app;
    }
}
