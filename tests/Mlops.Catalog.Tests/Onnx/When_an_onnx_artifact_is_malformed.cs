using Mlops.Catalog.Models;
using Mlops.Testing.Onnx;
using Xunit;

namespace Mlops.Catalog.Tests.Onnx;

public sealed class When_an_onnx_artifact_is_malformed
{
    [Theory]
    [InlineData("int64_input", "Input a holds Int64; inputs must hold float or double (numeric features) or string (categorical ones).")]
    [InlineData("string_matrix", "Input x holds strings; a feature matrix holds float or double")]
    [InlineData("sequence_input", "Input s is a sequence; inputs must be tensors.")]
    [InlineData("matrix_without_names", "Input x has 3 columns; name them in the model's metadata_props entry mlops.feature_names")]
    [InlineData("names_mismatch", "mlops.feature_names names 2 features but input x has shape [N, 3].")]
    [InlineData("dynamic_width", "Input x has shape [N, ?]; the number of columns must be fixed.")]
    [InlineData("fixed_batch_of_two", "Input x has a fixed batch size of 2; make its first dimension dynamic (or 1).")]
    [InlineData("three_classes", "Output probabilities has shape [N, 3]: 3 classes; only binary classifiers are scored")]
    [InlineData("zipmap", "Output output_probability is a sequence of maps (a ZipMap); export the classifier without ZipMap")]
    [InlineData("two_scores", "Outputs p, other could each be the probability; name it probabilities ([N, 2]) or probability ([N] or [N, 1]).")]
    [InlineData("logits", "Output probability gave 5 for row 0, which is not a probability: does the graph end in a sigmoid or softmax?")]
    [InlineData("wrong_runtime_shape", "Output probabilities gave shape [2, 3] for 2 rows; expected [2], [2, 1] or [2, 2]")]
    public async Task It_is_refused_at_load_saying_what_is_wrong(string variant, string reason)
    {
        var artifact = await OnnxExamples.VariantAsync(variant);

        var refused = Assert.Throws<InvalidModelException>(() => ModelFormats.Load(ModelFormats.Onnx, artifact));

        Assert.StartsWith(reason, refused.Message);
        Assert.True(refused.Message.Length > 20, refused.Message);
    }

    [Fact]
    public async Task A_graph_that_cannot_run_is_refused_with_ONNX_Runtimes_reason()
    {
        var artifact = await OnnxExamples.VariantAsync("broken_matmul");

        var refused = Assert.Throws<InvalidModelException>(() => ModelFormats.Load(ModelFormats.Onnx, artifact));

        Assert.Matches("^The (artifact is not an ONNX model ONNX Runtime can load|model fails on a probe row of zeros and empty strings): .*MatMul", refused.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(4096)]
    public void Random_bytes_are_refused(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);

        var refused = Assert.Throws<InvalidModelException>(() => ModelFormats.Load(ModelFormats.Onnx, bytes));

        Assert.Matches("^The (ONNX artifact is empty|artifact is not an ONNX model ONNX Runtime can load: .+)", refused.Message);
    }

    [Fact]
    public async Task An_artifact_of_the_other_format_is_refused_by_each_loader()
    {
        var portable = CompiledModel.Serialize(new ModelDocument
        {
            Kind = ModelDocument.LogisticRegressionKind,
            Signature = new ModelSignature { Inputs = [new SignatureColumn("x", SignatureColumn.Double)] },
            LogisticRegression = new LogisticRegressionParameters { Intercept = 0, Coefficients = new Dictionary<string, double> { ["x"] = 1 } },
        });
        var onnx = await OnnxExamples.VariantAsync("float_matrix_score");

        Assert.StartsWith("The artifact is not an ONNX model", Assert.Throws<InvalidModelException>(() => ModelFormats.Load(ModelFormats.Onnx, portable)).Message);
        Assert.StartsWith("The model artifact is not a valid model document", Assert.Throws<InvalidModelException>(() => ModelFormats.Load(ModelFormats.Portable, onnx)).Message);
        Assert.StartsWith("Unknown model format 'pickle'", Assert.Throws<InvalidModelException>(() => ModelFormats.Load("pickle", onnx)).Message);
        Assert.Equal("model.onnx", ModelFormats.ArtifactName(ModelFormats.Onnx));
    }
}
