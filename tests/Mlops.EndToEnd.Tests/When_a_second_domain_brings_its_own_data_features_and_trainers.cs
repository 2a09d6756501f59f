using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Scoring;
using Mlops.Orchestrator.Sagas;
using Mlops.Testing;
using Mlops.Testing.Onnx;
using Xunit;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// Issue 10 end to end with a domain that is not churn, configured with no code: loan applications are registered as a raw
/// table and landed from a CSV file through the API, a YAML feature table is computed from them in PostgreSQL, and the batch's
/// RawDataLanded retrains two models, one with the Python gradient-boosting trainer and one with the ONNX trainer. Each
/// becomes champion; the first is served by entity key, batch-scored and monitored, the second is served and batch-scored as
/// scikit-learn scores.
/// </summary>
public sealed class When_a_second_domain_brings_its_own_data_features_and_trainers(SecondDomainFixture platform) : IClassFixture<SecondDomainFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly long[] Keys = Enumerable.Range(1, 40).Select(i => (long)i * 7).ToArray();

    [Fact]
    public async Task A_landed_csv_is_featurised_trained_in_python_promoted_served_by_key_batch_scored_and_monitored()
    {
        var batchId = await platform.LandedBatchAsync();

        // The feature table version was computed in PostgreSQL from the YAML: the batch's rows, its expressions' values.
        var run = await platform.FinishedRunAsync(SecondDomainFixture.GbtModel, batchId);
        Assert.Equal(("Completed", null, "raw_data_landed"), (run.CurrentState, run.FailureReason, run.Trigger));
        var featureVersion = run.FeatureVersion!.Value;
        var (rowCount, environment, rawBatches) = (await platform.Database.QueryAsync<(long, string, Guid[])>(
            "SELECT row_count, environment, raw_batch_ids FROM features.table_versions WHERE table_name = @FeatureTable AND version = @featureVersion",
            new { LoanApplications.FeatureTable, featureVersion })).Single();
        Assert.Equal((SecondDomainFixture.Rows, "dev"), ((int)rowCount, environment));
        Assert.Equal([batchId], rawBatches);
        Assert.Equal(0, await platform.Database.ScalarAsync<long>("""
            SELECT count(*) FROM features.loan_features f JOIN raw.loan_applications r ON r.loan_id = f.loan_id AND r.batch_id = @batchId
            WHERE f.version = @featureVersion AND NOT (
                abs(f.debt_to_income - (r.loan_amount / r.income)::double precision) < 1e-9
                AND abs(f.log_income - ln(r.income)::double precision) < 1e-9
                AND f.credit_score = coalesce(r.credit_score, 600)
                AND f.employment = lower(trim(r.employment))
                AND f.age_band = CASE WHEN r.applicant_age < 25 THEN 'young' WHEN r.applicant_age < 50 THEN 'middle' ELSE 'senior' END
                AND f.event_time = r.applied_at
                AND f.defaulted = CASE WHEN r.defaulted THEN 1 ELSE 0 END)
            """, new { batchId, featureVersion }));
        Assert.Equal(["salaried", "self_employed", "unemployed"], await platform.Database.QueryAsync<string>(
            "SELECT DISTINCT employment FROM features.loan_features WHERE version = @featureVersion ORDER BY 1", new { featureVersion }));

        // The Python trainer's model, registered in the portable format on that version, is the champion.
        var version = (await Registry.FindVersionAsync(SecondDomainFixture.GbtModel, run.ModelVersion!.Value))!;
        Assert.Equal((ModelFormats.Portable, LoanApplications.FeatureTable, featureVersion), (version.ModelFormat, version.FeatureTable, version.FeatureVersion));
        Assert.Equal(run.ModelVersion, await Registry.FindAliasAsync(SecondDomainFixture.GbtModel, ModelAliases.Champion));
        Assert.Equal("sklearn_gbt", await platform.Database.ScalarAsync<string>(
            "SELECT trainer FROM tracking.runs WHERE pipeline_run_id = @CorrelationId", new { run.CorrelationId }));

        // Served by entity key: the features come from the online store; a key it does not hold is a 404 naming it.
        var served = await ServedByKeyAsync(SecondDomainFixture.GbtModel, run.ModelVersion.Value, Keys);
        Assert.All(served.Values, p => Assert.InRange(p, 0.0, 1.0));
        using (var unknown = await InvokeAsync(SecondDomainFixture.GbtModel, [Keys[0], 987_654_321]))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("987654321", await unknown.Content.ReadAsStringAsync());
        }

        // Batch-scored through the API: every entity of the version, with the predictions Serving gives by key.
        using var started = await platform.Admin.PostAsJsonAsync($"/api/models/{SecondDomainFixture.GbtModel}/batch-scoring", new { });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var job = (await started.Content.ReadFromJsonAsync<BatchScoringJob>(Json))!;
        job = await Eventually.WaitAsync(() => platform.Admin.GetFromJsonAsync<BatchScoringJob>(
                $"/api/models/{SecondDomainFixture.GbtModel}/batch-scoring/{job.JobId}", Json)!,
            j => j!.State is "completed" or "failed", $"scoring job {job.JobId} to end", TimeSpan.FromMinutes(2));
        Assert.Equal(("completed", null, SecondDomainFixture.Rows), (job!.State, job.Failure, (int)job.RowsScored));
        Assert.Equal((run.ModelVersion, LoanApplications.FeatureTable), (job.ModelVersion, job.FeatureTable));
        var batch = (await platform.Database.QueryAsync<(long EntityId, double Prediction)>(
                "SELECT entity_id, prediction FROM scoring.predictions WHERE job_id = @JobId AND entity_id = ANY(@Keys)", new { job.JobId, Keys }))
            .ToDictionary(p => p.EntityId, p => p.Prediction);
        Assert.All(Keys, key => Assert.Equal(served[key], batch[key], 1e-9));

        // Monitored: the served and the batch predictions reached monitoring's windows of the champion.
        var monitored = await Eventually.WaitAsync(() => platform.Database.ScalarAsync<long>(
                "SELECT coalesce(sum(row_count), 0) FROM monitoring.windows WHERE model_name = @GbtModel AND version = @ModelVersion",
                new { SecondDomainFixture.GbtModel, run.ModelVersion }),
            rows => rows >= SecondDomainFixture.Rows + Keys.Length, "the served and batch predictions in monitoring's windows");
        Assert.Equal(SecondDomainFixture.Rows + Keys.Length, monitored);
        Assert.Equal(monitored, await platform.Database.ScalarAsync<long>(
            "SELECT sum(row_count) FROM monitoring.processed_batches WHERE model_name = @GbtModel", new { SecondDomainFixture.GbtModel }));
        // And its windows were evaluated against the reference profile training captured: drift of each of the domain's features.
        var evaluated = await Eventually.WaitAsync(() => platform.Database.QueryAsync<string>("""
                SELECT DISTINCT subject FROM monitoring.metric_results
                WHERE model_name = @GbtModel AND version = @ModelVersion AND subject_kind = 'feature' AND status IN ('ok', 'breached')
                ORDER BY 1
                """, new { SecondDomainFixture.GbtModel, run.ModelVersion }),
            subjects => subjects.Count == 6, "monitoring to evaluate the drift of every feature", TimeSpan.FromMinutes(1));
        Assert.Equal(["age_band", "credit_score", "debt_to_income", "employment", "log_income", "monthly_payment"], evaluated);
    }

    [Fact]
    public async Task The_onnx_trainer_makes_an_onnx_champion_that_serving_scores_as_scikit_learn_does()
    {
        var batchId = await platform.LandedBatchAsync();
        var run = await platform.FinishedRunAsync(SecondDomainFixture.OnnxModel, batchId);
        Assert.Equal(("Completed", null), (run.CurrentState, run.FailureReason));
        var version = (await Registry.FindVersionAsync(SecondDomainFixture.OnnxModel, run.ModelVersion!.Value))!;
        Assert.Equal(ModelFormats.Onnx, version.ModelFormat);
        Assert.Equal(run.ModelVersion, await Registry.FindAliasAsync(SecondDomainFixture.OnnxModel, ModelAliases.Champion));

        // The script again, on the very splits Training handed it (same seed, same rows, same order), scoring the keys' rows.
        var store = platform.Services.GetRequiredService<FeatureStore>();
        var table = (await store.FindTableAsync(LoanApplications.FeatureTable))!;
        var frame = await store.ReadTrainingSetAsync(table, run.FeatureVersion!.Value);
        var split = new DatasetSplit(SecondDomainFixture.Seed);
        FeatureFrame Labelled(Partition partition) => frame.Rows(split.Rows(frame.EntityIds, partition).Where(row => !double.IsNaN(frame.Labels![row])).ToArray());
        var keyRows = frame.Rows(Keys.Select(key => Array.IndexOf(frame.EntityIds, key)).ToArray());
        var scikitLearn = await OnnxExamples.TrainAsync(Labelled(Partition.Train), Labelled(Partition.Validation), keyRows,
            LoanApplications.EntityColumn, LoanApplications.LabelColumn);

        var served = await ServedByKeyAsync(SecondDomainFixture.OnnxModel, run.ModelVersion.Value, Keys);
        scikitLearn.AssertParity(keyRows, Keys.Select(key => served[key]).ToList());

        // The promotion's batch-scoring step scored the whole version with the ONNX champion, as scikit-learn does too.
        var job = await Eventually.WaitAsync(() => platform.Database.QueryAsync<(Guid JobId, string State, string? Failure, long RowsScored)>(
                "SELECT job_id, state, failure, rows_scored FROM scoring.jobs WHERE model_name = @OnnxModel AND trigger = 'pipeline' AND correlation_id = @CorrelationId",
                new { SecondDomainFixture.OnnxModel, run.CorrelationId }),
            jobs => jobs.Count == 1 && jobs[0].State is "completed" or "failed", "the batch scoring of the promoted ONNX champion", TimeSpan.FromMinutes(2));
        Assert.Equal(("completed", null, (long)SecondDomainFixture.Rows), (job[0].State, job[0].Failure, job[0].RowsScored));
        var batch = (await platform.Database.QueryAsync<(long EntityId, double Prediction)>(
                "SELECT entity_id, prediction FROM scoring.predictions WHERE job_id = @JobId AND entity_id = ANY(@Keys)", new { job[0].JobId, Keys }))
            .ToDictionary(p => p.EntityId, p => p.Prediction);
        scikitLearn.AssertParity(keyRows, Keys.Select(key => batch[key]).ToList());
    }

    private ModelRegistry Registry => platform.Services.GetRequiredService<ModelRegistry>();

    private Task<HttpResponseMessage> InvokeAsync(string model, IEnumerable<long> keys) =>
        platform.Serving.PostAsJsonAsync($"/serving-endpoints/{model}/invocations",
            new { dataframe_records = keys.Select(key => new Dictionary<string, long> { [LoanApplications.EntityColumn] = key }) });

    /// <summary>The predictions Serving answers for <paramref name="keys"/> once it serves <paramref name="version"/> and holds the keys online.</summary>
    private async Task<Dictionary<long, double>> ServedByKeyAsync(string model, int version, long[] keys)
    {
        var predictions = await Eventually.WaitAsync(async () =>
        {
            using var response = await InvokeAsync(model, keys);
            if (!response.IsSuccessStatusCode || response.Headers.GetValues("X-Model-Version").Single() != version.ToString(CultureInfo.InvariantCulture))
                return null;
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray().Select(p => p.GetDouble()).ToArray();
        }, p => p is not null, $"{model} v{version} to answer by entity key", TimeSpan.FromMinutes(1));
        return keys.Zip(predictions!).ToDictionary(p => p.First, p => p.Second);
    }
}
