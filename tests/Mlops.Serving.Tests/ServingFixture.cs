using System.Net.Http.Headers;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Contracts;
using Mlops.Hosting;
using Mlops.Hosting.Data;
using Mlops.Testing;

namespace Mlops.Serving.Tests;

/// <summary>
/// A real serving host over its own database and vhost, and a registry holding versions of a small model:
/// p = sigmoid(intercept + weight·x + 1.0·[color=red]).
/// </summary>
public class ServingFixture : TestEnvironment
{
    public const string Model = "dev.ml.scoring";

    public WebApplication Host { get; set; } = null!;

    /// <summary>Sends <see cref="Token"/>: a principal with the consumer right in every catalog (ml_engineer).</summary>
    public HttpClient Http { get; private set; } = null!;

    public string Token { get; private set; } = "";

    public string BaseAddress { get; private set; } = "";

    protected virtual IDictionary<string, string?> HostSettings => new Dictionary<string, string?>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Host = await StartHostAsync();
        var address = Host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = address;
        Token = await TestTokens.IssueAsync(Database.ConnectionString, "serving-tests", "ml_engineer");
        Http = new HttpClient { BaseAddress = new Uri(address) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    /// <summary>Where this fixture's hosts spill unwritten log rows: its own, so no other test class replays them.</summary>
    public string SpillDirectory { get; } = Path.Combine(Path.GetTempPath(), "mlops-serving-spill-" + Guid.NewGuid().ToString("N"));

    /// <summary>A serving host on this fixture's database and vhost (the fixture's own, or another one a test starts and stops).</summary>
    public Task<WebApplication> StartHostAsync()
    {
        var settings = new Dictionary<string, string?> { ["Serving:InferenceLog:SpillDirectory"] = SpillDirectory };
        foreach (var (key, value) in HostSettings)
            settings[key] = value;
        settings["Serving:Models:0"] = Model;
        return TestHost.StartAsync(this, "serving", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddServingService();
        }, settings, app =>
        {
            app.MapMlopsDefaults();
            app.MapServingEndpoints();
        });
    }

    public static double Expected(double intercept, double weight, double x, string? color) =>
        CompiledModel.Sigmoid(intercept + weight * x + (color == "red" ? 1.0 : 0.0));

    public Task<int> RegisterAsync(double intercept, double weight, string model = Model, string featureTable = "t")
    {
        var document = new ModelDocument
        {
            Kind = ModelDocument.LogisticRegressionKind,
            Signature = new ModelSignature
            {
                Inputs = [new SignatureColumn("x", SignatureColumn.Double), new SignatureColumn("color", SignatureColumn.String)],
            },
            Encodings = [new InputEncoding { Input = "color", Kind = InputEncoding.OneHot, Categories = ["red", "blue"] }],
            LogisticRegression = new LogisticRegressionParameters
            {
                Intercept = intercept,
                Coefficients = new Dictionary<string, double> { ["x"] = weight, ["color=red"] = 1.0 },
            },
        };
        return RegisterAsync(model, document.Signature, ModelFormats.Portable, CompiledModel.Serialize(document), featureTable);
    }

    /// <summary>Registers <paramref name="artifact"/>, whatever it holds, as the next version of <paramref name="model"/> in <paramref name="format"/>.</summary>
    public async Task<int> RegisterAsync(string model, ModelSignature signature, string format, byte[] artifact, string featureTable = "t")
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var session = SessionAs("training");
        await session.BeginAsync();
        var runId = Guid.NewGuid();
        await scope.ServiceProvider.GetRequiredService<TrackingStore>().StartAsync(session, new TrackingRun
        {
            RunId = runId, Experiment = model, Trainer = "test", CodeVersion = "test", Parameters = new Dictionary<string, string>(),
            FeatureTable = "t", FeatureVersion = 1, Principal = "test",
        });
        var sha = await scope.ServiceProvider.GetRequiredService<ArtifactStore>().PutAsync(session, runId, ModelFormats.ArtifactName(format), artifact);
        var version = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().RegisterVersionAsync(session, new NewModelVersion
        {
            ModelName = ModelName.Parse(model), Signature = signature, TrainingRunId = runId, ArtifactSha256 = sha, ModelFormat = format, CodeVersion = "test",
            Trainer = "test", FeatureTable = featureTable, FeatureVersion = 1, RawBatchIds = [Guid.NewGuid()], Metrics = new Dictionary<string, double>(),
            Principal = "test",
        });
        await session.CommitAsync();
        return version;
    }

    /// <summary>Moves an alias as Promotion would, and announces it the way Promotion does (unless <paramref name="announce"/> is false: a missed message).</summary>
    public async Task MoveAliasAsync(string alias, int version, int? expected, bool announce = true, string model = Model)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var session = SessionAs("promotion");
        await session.BeginAsync();
        await scope.ServiceProvider.GetRequiredService<ModelRegistry>().SetAliasAsync(session, model, alias, version, expected, "test", "test");
        await session.CommitAsync();
        if (!announce)
            return;

        var environment = ModelName.Parse(model).Catalog;
        if (alias == ModelAliases.Champion)
            await PublishAsync(new ModelPromoted { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = environment, Principal = "test", Version = version, PreviousVersion = expected });
        else
            await PublishAsync(new ChallengerEvaluated { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = environment, Principal = "test", ChallengerVersion = version, Metric = "auc", Promote = true, Reason = "test" });
    }

    public Task<HttpResponseMessage> InvokeAsync(object body, string model = Model) =>
        Http.PostAsJsonAsync($"/serving-endpoints/{model}/invocations", body);

    public override async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.StopQuietlyAsync();
        await base.DisposeAsync();
        if (Directory.Exists(SpillDirectory))
            Directory.Delete(SpillDirectory, recursive: true);
    }
}
