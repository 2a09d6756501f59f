using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Testing.Onnx;
using Xunit;

namespace Mlops.Catalog.Tests.Onnx;

public sealed class When_an_onnx_model_is_loaded
{
    [Fact]
    public async Task A_scikit_learn_model_over_a_feature_matrix_scores_as_scikit_learn_does()
    {
        var predict = OnnxData.Frame(300, seed: 3, categorical: false, firstId: 5000);
        var trained = await OnnxExamples.TrainAsync(OnnxData.Frame(800, seed: 1, categorical: false), OnnxData.Frame(200, seed: 2, categorical: false),
            predict, OnnxData.Entity, OnnxData.Label);

        using var model = (OnnxModel)ModelFormats.Load(ModelFormats.Onnx, trained.Model);

        Assert.Equal([new("tenure_months", SignatureColumn.Double), new SignatureColumn("monthly_charges", SignatureColumn.Double)], model.Inputs);
        Assert.Equal(ModelFormats.Onnx, model.Format);
        Assert.Equal(OnnxModel.ProbabilitiesOutput, model.OutputName);
        trained.AssertParity(predict, model.Score(predict));
        trained.AssertParity(predict, Enumerable.Range(0, predict.RowCount).Select(row => model.Score(OnnxData.Row(predict, model.Inputs, row))).ToArray());
        Assert.Contains(predict.Numeric["tenure_months"], double.IsNaN);
    }

    [Fact]
    public async Task A_scikit_learn_model_with_one_input_per_feature_scores_strings_nulls_and_unseen_categories_as_scikit_learn_does()
    {
        var predict = OnnxData.Frame(300, seed: 6, firstId: 7000);
        var contracts = predict.Categorical["contract_type"];
        for (var row = 0; row < contracts.Length; row += 17)
            contracts[row] = "weekly";
        var trained = await OnnxExamples.TrainAsync(OnnxData.Frame(800, seed: 4), OnnxData.Frame(200, seed: 5), predict, OnnxData.Entity, OnnxData.Label,
            new Dictionary<string, string> { ["C"] = "0.5" });

        using var model = (OnnxModel)ModelFormats.Load(ModelFormats.Onnx, trained.Model);

        Assert.Equal(["tenure_months", "monthly_charges", "contract_type"], model.Inputs.Select(i => i.Name));
        Assert.Equal([SignatureColumn.Double, SignatureColumn.Double, SignatureColumn.String], model.Inputs.Select(i => i.Type));
        trained.AssertParity(predict, model.Score(predict));
        trained.AssertParity(predict, Enumerable.Range(0, predict.RowCount).Select(row => model.Score(OnnxData.Row(predict, model.Inputs, row))).ToArray());
        Assert.Contains(contracts, c => c is null);
    }

    [Fact]
    public async Task A_frame_larger_than_a_chunk_and_concurrent_callers_get_the_row_by_row_scores()
    {
        var frame = OnnxData.Frame(OnnxModel.ChunkRows * 2 + 123, seed: 8);
        var trained = await OnnxExamples.TrainAsync(OnnxData.Frame(500, seed: 9), OnnxData.Frame(100, seed: 10), OnnxData.Frame(10, seed: 11),
            OnnxData.Entity, OnnxData.Label);
        using var model = (OnnxModel)ModelFormats.Load(ModelFormats.Onnx, trained.Model);
        var rowByRow = Enumerable.Range(0, frame.RowCount).Select(row => model.Score(OnnxData.Row(frame, model.Inputs, row))).ToArray();

        var batches = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => model.Score(frame))));
        var rows = await Task.WhenAll(Enumerable.Range(0, 4).Select(offset => Task.Run(() =>
            Enumerable.Range(0, 500).Select(i => model.Score(OnnxData.Row(frame, model.Inputs, (i * 7 + offset) % frame.RowCount))).ToArray())));

        // A batch may take another kernel than a single row: equal to the last bits of a double, not bit for bit.
        foreach (var batch in batches)
        {
            Assert.Equal(batches[0], batch);
            Assert.Equal(rowByRow.Length, batch.Length);
            Assert.All(rowByRow.Zip(batch), pair => Assert.Equal(pair.First, pair.Second, 1e-12));
        }
        for (var offset = 0; offset < rows.Length; offset++)
            Assert.Equal(Enumerable.Range(0, 500).Select(i => rowByRow[(i * 7 + offset) % frame.RowCount]), rows[offset]);
    }

    [Theory]
    [InlineData("float_matrix_score", "score")]
    [InlineData("fixed_batch", "probability")]
    [InlineData("per_feature_float", "probabilities")]
    public async Task Float_inputs_a_fixed_batch_of_one_and_each_output_shape_score_the_same_graph(string variant, string output)
    {
        using var model = (OnnxModel)ModelFormats.Load(ModelFormats.Onnx, await OnnxExamples.VariantAsync(variant));
        var frame = new FeatureFrame([new("a", FeatureType.Numeric), new("b", FeatureType.Numeric), new("c", FeatureType.Numeric)], [1, 2, 3, 4, 5],
            new Dictionary<string, double[]>
            {
                ["a"] = [0, 1, -2, 3.5, double.NaN], ["b"] = [0, 2, 4, -1, 1], ["c"] = [0, -3, 0.5, 10, 2],
            }, new Dictionary<string, string?[]>(), null);

        var scores = model.Score(frame);

        Assert.Equal(["a", "b", "c"], model.Inputs.Select(i => i.Name));
        Assert.All(model.Inputs, i => Assert.Equal(SignatureColumn.Double, i.Type));
        Assert.Equal(output, model.OutputName);
        for (var row = 0; row < frame.RowCount; row++)
        {
            var expected = CompiledModel.Sigmoid(0.5 * frame.Numeric["a"][row] - 0.25 * frame.Numeric["b"][row] + 0.1 * frame.Numeric["c"][row]);
            if (double.IsNaN(expected))
                Assert.True(double.IsNaN(scores[row]), $"row {row}: a null input gives NaN, not {scores[row]}");
            else
                Assert.Equal(expected, scores[row], 1e-6);
            Assert.Equal(scores[row], model.Score(OnnxData.Row(frame, model.Inputs, row)));
        }
    }

    [Fact]
    public async Task Data_without_a_column_the_model_needs_is_refused_naming_it()
    {
        using var model = ModelFormats.Load(ModelFormats.Onnx, await OnnxExamples.VariantAsync("per_feature_float")) as OnnxModel;
        var frame = new FeatureFrame([new("a", FeatureType.Numeric), new("b", FeatureType.Categorical)], [1],
            new Dictionary<string, double[]> { ["a"] = [1] }, new Dictionary<string, string?[]> { ["b"] = ["x"] }, null);

        var refused = Assert.Throws<InvalidModelException>(() => model!.Score(frame));

        Assert.Equal("The data has no double column b that the model needs.", refused.Message);
        Assert.Throws<ArgumentException>(() => model!.Score([1.0, 2.0]));
    }
}
