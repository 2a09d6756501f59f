using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Testing;

namespace Mlops.Promotion.Tests;

/// <summary>
/// A test class's database and virtual host with the real promotion service running on them, and a second host that
/// records its replies. Models named <see cref="LogLossModel"/> are judged on log_loss.
/// </summary>
public sealed class PromotionHosts : TestEnvironment
{
    public const string LogLossModel = "dev.ml.churn_calibrated";

    private WebApplication? _promotion;
    private WebApplication? _recorder;

    public Replies Replies { get; } = new();

    public IServiceProvider Services => _promotion!.Services;

    public CatalogArranger Arrange => new(Services, () => SessionAs("owner"));

    public ModelRegistry Registry => Services.GetRequiredService<ModelRegistry>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _promotion = await TestHost.StartAsync(this, "promotion", b =>
        {
            b.AddMlopsDefaults();
            b.AddPromotionService();
        }, new Dictionary<string, string?> { [$"Promotion:Models:{LogLossModel}:Metric"] = "log_loss" });
        _recorder = await TestHost.StartAsync(this, "recorder", b =>
        {
            b.AddMlopsDefaults();
            b.Services.AddSingleton(Replies);
            b.AddMlopsMessaging(bus => bus.AddConsumer<ReplyRecorder>());
        });
    }

    public Task EvaluateAsync(Guid runId, string modelName, int version) =>
        PublishAsync(new EvaluateChallenger
        {
            CorrelationId = runId, ModelName = modelName, Environment = EnvironmentOf(modelName), Principal = "svc-pipeline", Version = version,
        });

    public Task PromoteAsync(Guid runId, string modelName, int version, int? expectedChampion) =>
        PublishAsync(new PromoteModel
        {
            CorrelationId = runId, ModelName = modelName, Environment = EnvironmentOf(modelName), Principal = "svc-pipeline", Version = version,
            ExpectedChampionVersion = expectedChampion,
        });

    public Task RollbackAsync(Guid runId, string modelName, int? toVersion, string reason = "", bool @override = false) =>
        PublishAsync(new RollbackModel
        {
            CorrelationId = runId, ModelName = modelName, Environment = EnvironmentOf(modelName), Principal = "ops@example.com", ToVersion = toVersion,
            Reason = reason, Override = @override,
        });

    /// <summary>Published messages of a type for a run, as committed to the promotion service's outbox.</summary>
    public Task<long> PublishedAsync<T>(Guid runId) =>
        Database.ScalarAsync<long>("""
            SELECT count(*) FROM messaging.outbox
            WHERE producer = 'promotion' AND message_type LIKE '%:' || @type AND body LIKE '%' || @runId || '%'
            """, new { type = typeof(T).Name, runId = runId.ToString() });

    public override async Task DisposeAsync()
    {
        await _recorder.StopQuietlyAsync();
        await _promotion.StopQuietlyAsync();
        await base.DisposeAsync();
    }

    private static string EnvironmentOf(string modelName) => modelName.Split('.')[0];

    private Task PublishAsync<T>(T message)
        where T : class =>
        PublishAsync(message, null);
}
