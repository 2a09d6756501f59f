using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Hosting;
using Mlops.Hosting.Data;
using Mlops.Orchestrator;
using Mlops.Testing;

namespace Mlops.Api.Tests;

/// <summary>
/// A real API host (Kestrel on a loopback port, the real broker and database), its first admin bootstrapped over HTTP on the
/// empty database, and helpers to create principals, registry versions and pipeline runs.
/// </summary>
public class ApiFixture : TestEnvironment
{
    public WebApplication Host { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public HttpClient Anonymous { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public string AdminToken { get; private set; } = "";

    /// <summary>Whether the fixture bootstraps its admin ("root") once the host runs; off to test the bootstrap itself.</summary>
    protected virtual bool BootstrapAdmin => true;

    protected virtual IDictionary<string, string?> HostSettings => new Dictionary<string, string?> { ["Api:RefusalsBeforeAlert"] = "10000" };

    /// <summary>More for the API host, e.g. the migrations of another service whose tables an endpoint reads.</summary>
    protected virtual void ConfigureHost(WebApplicationBuilder builder)
    {
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Host = await TestHost.StartAsync(this, "api", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddApiService();
            builder.Services.AddMlopsMigrations(typeof(OrchestratorExtensions).Assembly);
            ConfigureHost(builder);
        }, HostSettings, app =>
        {
            app.MapMlopsDefaults();
            app.MapApiEndpoints();
        });
        Address = new Uri(Host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Anonymous = new HttpClient { BaseAddress = Address };
        if (!BootstrapAdmin)
            return;

        var response = await Anonymous.PostAsJsonAsync("/api/bootstrap", new { name = "root" });
        await EnsureAsync(response);
        AdminToken = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        Admin = Client(AdminToken);
    }

    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Creates a principal with roles through the admin API and returns a client carrying a new token of it.</summary>
    public async Task<HttpClient> PrincipalAsync(string name, params string[] roles)
    {
        var created = await Admin.PostAsJsonAsync("/api/principals", new { name, kind = "user", roles });
        await EnsureAsync(created);
        return Client(await TokenAsync(name));
    }

    public async Task<string> TokenAsync(string name, int? expiresInDays = null)
    {
        var issued = await Admin.PostAsJsonAsync($"/api/principals/{name}/tokens", new { description = "test", expiresInDays });
        await EnsureAsync(issued);
        return (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    public static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Registers a version of a small model in the registry, as Training would (or <paramref name="onnx"/>, an ONNX artifact, when given).</summary>
    public async Task<int> RegisterVersionAsync(string model, IReadOnlyDictionary<string, string>? tags = null, byte[]? onnx = null)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var session = SessionAs("training");
        await session.BeginAsync();
        var runId = Guid.NewGuid();
        var document = new ModelDocument
        {
            Kind = ModelDocument.LogisticRegressionKind,
            Signature = new ModelSignature { Inputs = [new SignatureColumn("x", SignatureColumn.Double)] },
            LogisticRegression = new LogisticRegressionParameters { Intercept = 0.1, Coefficients = new Dictionary<string, double> { ["x"] = 1.0 } },
        };
        await scope.ServiceProvider.GetRequiredService<TrackingStore>().StartAsync(session, new TrackingRun
        {
            RunId = runId, Experiment = model, Trainer = "test", CodeVersion = "test", Parameters = new Dictionary<string, string>(),
            FeatureTable = "t", FeatureVersion = 1, Principal = "test",
        });
        var format = onnx is null ? ModelFormats.Portable : ModelFormats.Onnx;
        var sha = await scope.ServiceProvider.GetRequiredService<ArtifactStore>().PutAsync(session, runId, ModelFormats.ArtifactName(format),
            onnx ?? CompiledModel.Serialize(document));
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        var version = await registry.RegisterVersionAsync(session, new NewModelVersion
        {
            ModelName = ModelName.Parse(model), Signature = document.Signature, TrainingRunId = runId, ArtifactSha256 = sha, ModelFormat = format, CodeVersion = "abc123",
            Trainer = "test", FeatureTable = "t", FeatureVersion = 1, RawBatchIds = [Guid.NewGuid()], Metrics = new Dictionary<string, double> { ["auc"] = 0.8 },
            Principal = "trainer",
        });
        if (tags is not null)
            await registry.SetTagsAsync(session, model, version, tags);
        await session.CommitAsync();
        return version;
    }

    public async Task SetAliasAsync(string model, string alias, int version)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var session = SessionAs("promotion");
        await session.BeginAsync();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        var current = await registry.FindAliasAsync(session, model, alias);
        await registry.SetAliasAsync(session, model, alias, version, current, "promotion", "test");
        await session.CommitAsync();
    }

    /// <summary>A pipeline run row as the orchestrator's saga keeps it, and the released code it trains.</summary>
    public async Task<Guid> RunAsync(string model, string requestedBy, string releasedBy, string state = "AwaitingApproval", string codeVersion = "abc123")
    {
        var runId = Guid.NewGuid();
        var environment = model.Split('.')[0];
        var data = JsonSerializer.Serialize(new
        {
            correlationId = runId, currentState = state, modelName = model, environment, principal = requestedBy, trigger = "manual",
            triggerDetail = $"requested by {requestedBy}", codeVersion, modelVersion = 2, startedAt = DateTimeOffset.UtcNow,
            history = new[] { new { state = "Training", at = DateTimeOffset.UtcNow, note = "started" } },
        });
        await Database.ExecuteAsync("""
            INSERT INTO pipeline.deploy_code_pipeline_runs (correlation_id, current_state, version, data) VALUES (@runId, @state, 1, @data::jsonb);
            INSERT INTO pipeline.triggers (kind, message_id, model_name, environment, principal, run_id, disposition, detail)
            VALUES ('manual', gen_random_uuid(), @model, @environment, @requestedBy, @runId, 'started', 'test');
            INSERT INTO pipeline.released_code (model_name, environment, code_version, trainer, released_by, message_id)
            VALUES (@model, @environment, @codeVersion, 'logistic_regression', @releasedBy, gen_random_uuid())
            ON CONFLICT (model_name, environment) DO UPDATE SET code_version = excluded.code_version, released_by = excluded.released_by
            """, new { runId, state, data, model, environment, requestedBy, releasedBy, codeVersion });
        return runId;
    }

    /// <summary>Outbox rows of one message type (the short name, e.g. RawDataLanded).</summary>
    public Task<long> OutboxCountAsync(string messageType) =>
        Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE message_type LIKE '%Mlops.Contracts:' || @messageType || '%'", new { messageType });

    /// <summary>The messages (the envelope's message part) of one type committed to the outbox, in order.</summary>
    public async Task<IReadOnlyList<JsonElement>> OutboxMessagesAsync(string messageType)
    {
        var bodies = await Database.QueryAsync<string>(
            "SELECT body FROM messaging.outbox WHERE message_type LIKE '%Mlops.Contracts:' || @messageType || '%' ORDER BY sequence_number", new { messageType });
        return bodies.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("message").Clone()).ToList();
    }

    /// <summary>Changes the audit log as a superuser would: with triggers (the append-only guard among them) switched off for the session.</summary>
    public async Task TamperAsync(string sql, object? parameters = null)
    {
        await using var connection = await Database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Dapper.SqlMapper.ExecuteAsync(connection, "SET LOCAL session_replication_role = replica", transaction: transaction);
        await Dapper.SqlMapper.ExecuteAsync(connection, sql, parameters, transaction);
        await transaction.CommitAsync();
    }

    public Task<long> AuditCountAsync() => Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries");

    public override async Task DisposeAsync()
    {
        Anonymous?.Dispose();
        Admin?.Dispose();
        await Host.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
