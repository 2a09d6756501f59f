using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Hosting.Data;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>promote-code through the chain dev → staging → prod, and lineage both ways across environments, over real HTTP.</summary>
public sealed class When_code_is_promoted_and_lineage_is_read(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static readonly FeatureTableDefinition Table = new()
    {
        Name = "lineage_features", EntityColumn = "customer_id", Columns = [new FeatureColumn("x", FeatureType.Numeric)], LabelColumn = "churned",
        SourceTable = "raw.churn_customers",
    };

    [Fact]
    public async Task Code_that_never_completed_in_staging_cannot_be_promoted_to_prod_and_the_refusal_is_audited()
    {
        using var carol = await fixture.PrincipalAsync("carol-promoter", "ml_engineer");
        await CompletedRunAsync("dev.ml.promo_refused", "c-dev-only");

        var response = await carol.PostAsJsonAsync("/api/models/dev.ml.promo_refused/promote-code", new { codeVersion = "c-dev-only", to = "prod" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("never completed the pipeline in staging", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(await fixture.OutboxMessagesAsync("TrainingCodeReleased"),
            m => m.GetProperty("modelName").GetString() == "prod.ml.promo_refused");
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("""
            SELECT count(*) FROM audit.entries WHERE principal = 'carol-promoter' AND action = 'code.promote' AND outcome = 'failed'
              AND resource = 'model:prod.ml.promo_refused'
            """));
    }

    [Fact]
    public async Task Code_completed_in_dev_is_released_to_staging_with_the_trainer_and_parameters_it_ran_with()
    {
        using var erin = await fixture.PrincipalAsync("erin-promoter", "ml_engineer");
        var devRun = await CompletedRunAsync("dev.ml.promo_ok", "c-good");

        var response = await erin.PostAsJsonAsync("/api/models/dev.ml.promo_ok/promote-code", new { codeVersion = "c-good", to = "staging" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var released = Assert.Single(await fixture.OutboxMessagesAsync("TrainingCodeReleased"),
            m => m.GetProperty("modelName").GetString() == "staging.ml.promo_ok");
        Assert.Equal(("staging", "erin-promoter", "c-good", "logistic_regression", "0.5"),
            (released.GetProperty("environment").GetString(), released.GetProperty("principal").GetString(), released.GetProperty("codeVersion").GetString(),
             released.GetProperty("trainer").GetString(), released.GetProperty("parameters").GetProperty("l2").GetString()));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE principal = 'erin-promoter' AND action = 'code.promote' AND outcome = 'succeeded' AND detail LIKE @detail",
            new { detail = $"%run {devRun} completed%" }));
    }

    [Fact]
    public async Task Promoting_into_an_environment_needs_write_there_and_nothing_is_promoted_into_the_first()
    {
        using var dana = await fixture.PrincipalAsync("dana-scientist", "data_scientist");
        await CompletedRunAsync("dev.ml.promo_rights", "c-rights");

        var intoStaging = await dana.PostAsJsonAsync("/api/models/dev.ml.promo_rights/promote-code", new { codeVersion = "c-rights", to = "staging" });
        var intoDev = await fixture.Admin.PostAsJsonAsync("/api/models/dev.ml.promo_rights/promote-code", new { codeVersion = "c-rights", to = "dev" });
        var nowhere = await fixture.Admin.PostAsJsonAsync("/api/models/dev.ml.promo_rights/promote-code", new { codeVersion = "c-rights", to = "qa" });

        Assert.Equal(HttpStatusCode.Forbidden, intoStaging.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, intoDev.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nowhere.StatusCode);
        Assert.Equal("to", (await nowhere.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Lineage_reads_from_a_prod_version_back_to_its_batch_and_code_and_from_each_batch_forward_in_its_own_environment()
    {
        var devRun = await CompletedRunAsync("dev.ml.lineage", "c-lineage");
        var stagingRun = await CompletedRunAsync("staging.ml.lineage", "c-lineage");
        var dev = await BuildAsync("dev", "dev.ml.lineage", "c-lineage");
        var prod = await BuildAsync("prod", "prod.ml.lineage", "c-lineage");
        using var viewer = await fixture.PrincipalAsync("lineage-reader", "ml_engineer");

        var down = await viewer.GetFromJsonAsync<JsonElement>($"/api/lineage/models/prod.ml.lineage/versions/{prod.Version}");
        var prodBatch = await viewer.GetFromJsonAsync<JsonElement>($"/api/lineage/raw-batches/{prod.BatchId}");
        var devBatch = await viewer.GetFromJsonAsync<JsonElement>($"/api/lineage/raw-batches/{dev.BatchId}");

        Assert.Equal(prod.TrainingRunId, down.GetProperty("trackingRun").GetProperty("runId").GetGuid());
        Assert.Equal(("lineage_features", prod.FeatureVersion, "prod"), (down.GetProperty("featureVersion").GetProperty("tableName").GetString(),
            down.GetProperty("featureVersion").GetProperty("version").GetInt32(), down.GetProperty("featureVersion").GetProperty("environment").GetString()));
        Assert.Equal([prod.BatchId], down.GetProperty("rawBatches").EnumerateArray().Select(b => b.GetProperty("batchId").GetGuid()));
        Assert.Equal("c-lineage", down.GetProperty("codeVersion").GetString());
        Assert.Equal("trace-prod", down.GetProperty("traceId").GetString());
        Assert.Equal([devRun, stagingRun], down.GetProperty("codeCompletedIn").EnumerateArray().Select(r => r.GetProperty("runId").GetGuid()));

        Assert.Equal([prod.FeatureVersion], prodBatch.GetProperty("featureVersions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal([("prod.ml.lineage", prod.Version)], prodBatch.GetProperty("modelVersions").EnumerateArray()
            .Select(v => (v.GetProperty("modelName").GetString(), v.GetProperty("version").GetInt32())));
        Assert.Equal([("dev.ml.lineage", dev.Version)], devBatch.GetProperty("modelVersions").EnumerateArray()
            .Select(v => (v.GetProperty("modelName").GetString(), v.GetProperty("version").GetInt32())));
        Assert.Equal(["dev"], devBatch.GetProperty("featureVersions").EnumerateArray().Select(v => v.GetProperty("environment").GetString()));
    }

    [Fact]
    public async Task Lineage_is_read_only_with_the_right_to_read_there()
    {
        var prod = await BuildAsync("prod", "prod.ml.lineage_guarded", "c-guarded");
        using var scientist = await fixture.PrincipalAsync("lineage-outsider", "model_consumer");

        var version = await scientist.GetAsync($"/api/lineage/models/prod.ml.lineage_guarded/versions/{prod.Version}");
        var missing = await fixture.Admin.GetAsync($"/api/lineage/raw-batches/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.OK, version.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var devOnly = await fixture.PrincipalAsync("lineage-dev-outsider", "model_consumer");
        var dev = await BuildAsync("dev", "dev.ml.lineage_guarded", "c-guarded");
        Assert.Equal(HttpStatusCode.Forbidden, (await devOnly.GetAsync($"/api/lineage/models/dev.ml.lineage_guarded/versions/{dev.Version}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await devOnly.GetAsync($"/api/lineage/raw-batches/{dev.BatchId}")).StatusCode);
    }

    private async Task<Guid> CompletedRunAsync(string model, string codeVersion)
    {
        var runId = Guid.NewGuid();
        var data = JsonSerializer.Serialize(new
        {
            correlationId = runId, currentState = "Completed", modelName = model, environment = model.Split('.')[0], principal = "ci", trigger = "training_code_released",
            triggerDetail = "test", codeVersion, trainer = "logistic_regression", parameters = new Dictionary<string, string> { ["l2"] = "0.5" },
            startedAt = DateTimeOffset.UtcNow, finishedAt = DateTimeOffset.UtcNow,
        });
        await fixture.Database.ExecuteAsync("""
            INSERT INTO pipeline.deploy_code_pipeline_runs (correlation_id, current_state, version, data, updated_at)
            VALUES (@runId, 'Completed', 1, @data::jsonb, clock_timestamp())
            """, new { runId, data });
        return runId;
    }

    private sealed record Built(Guid BatchId, int FeatureVersion, Guid TrainingRunId, int Version);

    /// <summary>What a run in <paramref name="environment"/> leaves: a raw batch, a feature version from it, a tracking run and a model version.</summary>
    private async Task<Built> BuildAsync(string environment, string model, string codeVersion)
    {
        await using var scope = fixture.Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        // What several services write (raw batch, feature version, tracking run, model version), arranged in one transaction
        // as the schemas' owner: the API's own role may only read them.
        await using var session = fixture.SessionAs("owner");
        await session.BeginAsync();
        var batchId = Guid.CreateVersion7();
        await services.GetRequiredService<RawBatches>().RegisterAsync(session, new RawBatch(batchId, Table.SourceTable, 2, "upstream", null, default, environment));
        var features = services.GetRequiredService<FeatureStore>();
        await features.EnsureTableAsync(session, Table);
        var frame = new FeatureFrame(Table.Columns, [1, 2], new Dictionary<string, double[]> { ["x"] = [0.5, 1.5] }, new Dictionary<string, string?[]>(), [0, 1]);
        var featureVersion = await features.WriteVersionAsync(session, Table, frame, [batchId], null, [], "refresh", environment);
        var trainingRunId = Guid.NewGuid();
        await services.GetRequiredService<TrackingStore>().StartAsync(session, new TrackingRun
        {
            RunId = trainingRunId, Experiment = model, Trainer = "logistic_regression", CodeVersion = codeVersion, Parameters = new Dictionary<string, string>(),
            FeatureTable = Table.Name, FeatureVersion = featureVersion, Principal = "training",
        });
        var version = await services.GetRequiredService<ModelRegistry>().RegisterVersionAsync(session, new NewModelVersion
        {
            ModelName = ModelName.Parse(model), Signature = new ModelSignature { Inputs = [new SignatureColumn("x", SignatureColumn.Double)] },
            TrainingRunId = trainingRunId, ArtifactSha256 = new string('a', 64), CodeVersion = codeVersion, Trainer = "logistic_regression",
            FeatureTable = Table.Name, FeatureVersion = featureVersion, RawBatchIds = [batchId], Metrics = new Dictionary<string, double> { ["auc"] = 0.8 },
            Principal = "training", TraceId = $"trace-{environment}",
        });
        await session.CommitAsync();
        return new Built(batchId, featureVersion, trainingRunId, version);
    }
}
