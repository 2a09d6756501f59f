using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Serving.Models;
using Mlops.Testing;
using Mlops.Testing.Onnx;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class When_an_onnx_version_is_champion(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    [Fact]
    public async Task Its_predictions_over_http_equal_scikit_learns_within_1e_6_and_are_logged()
    {
        const string model = "dev.ml.onnx_churn";
        var (trained, predict) = await TrainAsync();
        var version = await RegisterAsync(model, trained.Model);
        await fixture.MoveAliasAsync("champion", version, null, model: model);

        var response = await Eventually.WaitAsync(() => fixture.InvokeAsync(Records(predict), model), r => r.StatusCode != HttpStatusCode.NotFound,
            "the ONNX champion to load");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(version.ToString(), response.Headers.GetValues("X-Model-Version").Single());
        var predictions = await PredictionsAsync(response);
        trained.AssertParity(predict, predictions);
        var requestId = Guid.Parse(response.Headers.GetValues("X-Request-Id").Single());
        var logged = await Eventually.WaitAsync(() => fixture.Database.QueryAsync<(int RowIndex, int Version, double Prediction)>(
                "SELECT row_index, model_version, prediction FROM serving.inference_log WHERE request_id = @requestId ORDER BY row_index", new { requestId }),
            rows => rows.Count == predict.RowCount, "every row in the inference log");
        Assert.All(logged, row => Assert.Equal((version, predictions[row.RowIndex]), (row.Version, row.Prediction)));
    }

    [Fact]
    public async Task Swapping_between_a_portable_and_an_onnx_champion_serves_each_and_unloads_the_version_left()
    {
        const string model = "dev.ml.onnx_swap";
        var (trained, predict) = await TrainAsync();
        var portable = await fixture.RegisterAsync(intercept: 0.25, weight: -0.5, model: model);
        var onnx = await RegisterAsync(model, trained.Model);
        var served = fixture.Host.Services.GetRequiredService<ServedModels>();
        // Both signatures in one request: each version reads its own columns and ignores the others.
        var body = Records(predict, row => new Dictionary<string, object?> { ["x"] = 2.0 + row, ["color"] = "red" });

        await fixture.MoveAliasAsync("champion", portable, null, model: model);
        var first = await Eventually.WaitAsync(() => fixture.InvokeAsync(body, model), r => r.StatusCode == HttpStatusCode.OK, "the portable champion");
        await fixture.MoveAliasAsync("champion", onnx, portable, model: model);
        var second = await Eventually.WaitAsync(() => fixture.InvokeAsync(body, model), r => Served(r) == onnx,
            "the ONNX champion");
        var loadedAfterOnnx = served.LoadedVersions.Where(v => v.ModelName == model).Select(v => v.Version).ToList();
        await fixture.MoveAliasAsync("champion", portable, onnx, model: model);
        var third = await Eventually.WaitAsync(() => fixture.InvokeAsync(body, model), r => Served(r) == portable,
            "the portable champion again");

        var portablePredictions = await PredictionsAsync(first);
        Assert.Equal(Enumerable.Range(0, predict.RowCount).Select(row => ServingFixture.Expected(0.25, -0.5, 2.0 + row, "red")), portablePredictions);
        trained.AssertParity(predict, await PredictionsAsync(second));
        Assert.Equal(portablePredictions, await PredictionsAsync(third));
        Assert.Equal([onnx], loadedAfterOnnx);
        Assert.Equal([portable], served.LoadedVersions.Where(v => v.ModelName == model).Select(v => v.Version));
    }

    [Theory]
    [InlineData("random_bytes", "The artifact is not an ONNX model ONNX Runtime can load")]
    [InlineData("int64_input", "Input a holds Int64; inputs must hold float or double")]
    [InlineData("three_classes", "Output probabilities has shape [N, 3]: 3 classes; only binary classifiers are scored")]
    [InlineData("zipmap", "Output output_probability is a sequence of maps (a ZipMap)")]
    public async Task A_malformed_onnx_champion_is_refused_with_the_reason(string variant, string reason)
    {
        var model = $"dev.ml.onnx_bad_{variant}";
        var artifact = variant == "random_bytes" ? RandomBytes(2048) : await OnnxExamples.VariantAsync(variant);
        var version = await fixture.RegisterAsync(model, new ModelSignature { Inputs = [new SignatureColumn("a", SignatureColumn.Double)] }, ModelFormats.Onnx, artifact);
        await fixture.MoveAliasAsync("champion", version, null, model: model);

        var response = await fixture.InvokeAsync(new { dataframe_records = new object[] { new { a = 1.0 } } }, model);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("MODEL_UNAVAILABLE", error.GetProperty("error_code").GetString());
        Assert.StartsWith($"{model} v{version} cannot be served: {reason}", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_malformed_onnx_version_promoted_over_a_working_one_never_replaces_it()
    {
        const string model = "dev.ml.onnx_keeps_serving";
        var (trained, predict) = await TrainAsync();
        var good = await RegisterAsync(model, trained.Model);
        var bad = await fixture.RegisterAsync(model, new ModelSignature { Inputs = [new SignatureColumn("a", SignatureColumn.Double)] }, ModelFormats.Onnx,
            await OnnxExamples.VariantAsync("zipmap"));
        var next = await RegisterAsync(model, trained.Model);
        await fixture.MoveAliasAsync("champion", good, null, model: model);
        await Eventually.WaitAsync(() => fixture.InvokeAsync(Records(predict), model), r => r.StatusCode == HttpStatusCode.OK, "the good champion");

        await fixture.MoveAliasAsync("champion", bad, good, model: model);
        await fixture.MoveAliasAsync("champion", next, bad, model: model);
        var responses = new List<HttpResponseMessage>();
        await Eventually.WaitAsync(async () =>
        {
            responses.Add(await fixture.InvokeAsync(Records(predict), model));
            return responses[^1];
        }, r => Served(r) == next, "the next good champion");

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(responses, r => Assert.NotEqual(bad.ToString(), r.Headers.GetValues("X-Model-Version").Single()));
        foreach (var response in responses)
            trained.AssertParity(predict, await PredictionsAsync(response));
    }

    [Fact]
    public async Task A_null_the_graph_does_not_impute_is_a_422_naming_the_row_and_nothing_is_logged()
    {
        const string model = "dev.ml.onnx_no_imputer";
        var artifact = await OnnxExamples.VariantAsync("float_matrix_score");
        var version = await RegisterAsync(model, artifact);
        await fixture.MoveAliasAsync("champion", version, null, model: model);
        await Eventually.WaitAsync(() => fixture.InvokeAsync(new { dataframe_records = new object[] { new { a = 1.0, b = 2.0, c = 3.0 } } }, model),
            r => r.StatusCode == HttpStatusCode.OK, "the champion to load");
        await Eventually.WaitAsync(() => LoggedRowsAsync(model), n => n == 1, "the first answer's row");

        var refused = await fixture.InvokeAsync(new { dataframe_records = new object?[] { new { a = 1.0, b = 2.0, c = 3.0 }, new { a = (double?)null, b = 2.0, c = 3.0 } } }, model);
        var answered = await fixture.InvokeAsync(new { dataframe_records = new object[] { new { a = 1.0, b = 2.0, c = 3.0 } } }, model);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var error = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("MODEL_OUTPUT_INVALID", error.GetProperty("error_code").GetString());
        Assert.StartsWith($"{model} v{version} gave no probability (NaN) for row 1;", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(CompiledModel.Sigmoid(0.5 - 0.5 + 0.3), (await PredictionsAsync(answered)).Single(), 1e-6);
        // Rows are written in the order they were queued: once the answered request's row is in, a refused one would be too.
        await Eventually.WaitAsync(() => LoggedRowsAsync(model), n => n >= 2, "the answered request's row");
        Assert.Equal(2, await LoggedRowsAsync(model));
    }

    private Task<long> LoggedRowsAsync(string model) =>
        fixture.Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log WHERE model_name = @model", new { model });

    private async Task<(OnnxTrainerRun Trained, FeatureFrame Predict)> TrainAsync()
    {
        var predict = OnnxData.Frame(120, seed: 23, firstId: 9000);
        predict.Categorical["contract_type"][7] = "weekly";
        var trained = await OnnxExamples.TrainAsync(OnnxData.Frame(600, seed: 21), OnnxData.Frame(150, seed: 22), predict, OnnxData.Entity, OnnxData.Label);
        return (trained, predict);
    }

    private Task<int> RegisterAsync(string model, byte[] artifact)
    {
        using var loaded = OnnxModel.Load(artifact);
        return fixture.RegisterAsync(model, new ModelSignature { Inputs = loaded.Inputs }, ModelFormats.Onnx, artifact);
    }

    private static object Records(FeatureFrame frame, Func<int, Dictionary<string, object?>>? extra = null) => new
    {
        dataframe_records = Enumerable.Range(0, frame.RowCount).Select(row =>
        {
            var record = extra?.Invoke(row) ?? [];
            foreach (var column in frame.Columns)
                record[column.Name] = frame.Value(column.Name, row) is double d && double.IsNaN(d) ? null : frame.Value(column.Name, row);
            return record;
        }).ToList(),
    };

    private static int? Served(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Model-Version", out var values) ? int.Parse(values.Single(), CultureInfo.InvariantCulture) : null;

    private static async Task<double[]> PredictionsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("predictions").EnumerateArray().Select(p => p.GetDouble()).ToArray();
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }
}
