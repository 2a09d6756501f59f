using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Data;
using Mlops.Api.Endpoints;
using Mlops.Api.Http;
using Mlops.Api.Identity;
using Mlops.Catalog;
using Mlops.Hosting;
using Mlops.Hosting.DeadLetters;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Retention;
using Mlops.Simulator;
using Scalar.AspNetCore;

namespace Mlops.Api;

public static class ApiExtensions
{
    /// <summary>Everything the control-plane API adds to the Mlops defaults: identity, authorisation, audit, idempotency, OpenAPI.</summary>
    public static IHostApplicationBuilder AddApiService(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.RefusalWindow > TimeSpan.Zero && o.DefaultTokenLifetime > TimeSpan.Zero && o.DefaultTokenLifetime <= o.MaxTokenLifetime
                           && o.FollowPollInterval > TimeSpan.Zero, "Api: RefusalWindow, token lifetimes (default <= max) and FollowPollInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddMlopsCatalog();
        builder.Services.AddMlopsMigrations(typeof(ApiExtensions).Assembly);
        builder.Services.AddMlopsRetentionRule(ApiRetention.IdempotencyKeys);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();

        builder.Services.AddSingleton<IdentityStore>();
        builder.Services.AddSingleton<AdminBootstrap>();
        builder.Services.AddSingleton<AuditVerifier>();
        builder.Services.AddSingleton<AuditQueries>();
        builder.Services.AddSingleton<RunQueries>();
        builder.Services.AddOptions<PromotionChain>().BindConfiguration(PromotionChain.Section)
            .Validate(chain => !chain.Problems().Any(), $"{PromotionChain.Section}:Chain must name dev, staging or prod, each once.").ValidateOnStart();
        builder.Services.AddSingleton<RegistryQueries>();
        builder.Services.AddSingleton<WebhookQueries>().AddSingleton<Mlops.Hosting.Secrets.SecretBox>().AddOptions<Mlops.Hosting.Secrets.SecretBoxOptions>().BindConfiguration(Mlops.Hosting.Secrets.SecretBoxOptions.Section);
        builder.Services.AddSingleton<MonitoringQueries>();
        builder.Services.AddScoped<RequestAudit>();
        builder.Services.AddScoped<AccessGuard>();
        builder.Services.AddSingleton<DeadLetterStore>();
        builder.Services.AddMlopsSimulator();

        builder.AddApiAuthentication();
        builder.Services.AddAuthorization();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        // Binding failures (malformed JSON, a query value of the wrong type) throw, so ApiExceptionHandler can name the field.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(options => options.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow);
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer<ApiDocumentTransformer>().AddOperationTransformer<ApiDocumentTransformer>());

        builder.AddDashboard();
        builder.AddMlopsMessaging();
        return builder;
    }

    public static WebApplication MapApiEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<IdempotencyMiddleware>();

        app.MapOpenApi();
        app.MapScalarApiReference();

        var anonymous = app.MapGroup("/api");
        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapIngestionEndpoints();
        api.MapRunEndpoints();
        api.MapModelEndpoints();
        api.MapBatchScoringEndpoints();
        api.MapPromoteCodeEndpoints();
        api.MapLineageEndpoints();
        api.MapFeatureTableEndpoints();
        api.MapApprovalEndpoints();
        api.MapAuditEndpoints();
        api.MapWebhookEndpoints();
        api.MapPrincipalEndpoints(anonymous);
        api.MapDeadLetterEndpoints();
        api.MapSimulatorEndpoints();
        api.MapRawTableEndpoints();
        api.MapMonitoringEndpoints();
        api.MapFeatureEndpoints();
        app.MapDashboard(api);
        return app;
    }
}
