using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Contracts;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Testing;

namespace Mlops.Compliance.Tests;

/// <summary>
/// A test class's database and virtual host with the real compliance service running on them (configured by
/// <see cref="TestModels"/>), and a second host that records its replies.
/// </summary>
public sealed class ComplianceHosts : TestEnvironment
{
    private WebApplication? _compliance;
    private WebApplication? _recorder;

    public Replies Replies { get; } = new();

    public IServiceProvider Services => _compliance!.Services;

    public VersionArranger Arrange => new(Services, () => SessionAs("owner"));

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _compliance = await TestHost.StartAsync(this, "compliance", b =>
        {
            b.AddMlopsDefaults();
            b.AddComplianceService();
        }, TestModels.Settings);
        _recorder = await TestHost.StartAsync(this, "recorder", b =>
        {
            b.AddMlopsDefaults();
            b.Services.AddSingleton(Replies);
            b.AddMlopsMessaging(bus => bus.AddConsumer<ReplyRecorder>());
        });
    }

    public Task CheckAsync(Guid runId, string modelName, int version) =>
        PublishAsync(new CheckCompliance
        {
            CorrelationId = runId, ModelName = modelName, Environment = modelName.Split('.')[0], Principal = "svc-pipeline", Version = version,
        });

    public async Task<IReadOnlyDictionary<string, string>> TagsAsync(string modelName, int version) =>
        (await Database.QueryAsync<(string Key, string Value)>(
            "SELECT key, value FROM registry.version_tags WHERE model_name = @modelName AND version = @version", new { modelName, version }))
        .ToDictionary(t => t.Key, t => t.Value);

    public Task<string> StatusAsync(string modelName, int version) =>
        Database.ScalarAsync<string>("SELECT status FROM registry.model_versions WHERE model_name = @modelName AND version = @version",
            new { modelName, version });

    public override async Task DisposeAsync()
    {
        await _recorder.StopQuietlyAsync();
        await _compliance.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
