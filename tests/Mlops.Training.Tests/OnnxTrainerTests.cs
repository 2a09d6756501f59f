using Mlops.Catalog.Models;
using Mlops.Catalog.Tracking;
using Xunit;

namespace Mlops.Training.Tests;

/// <summary>
/// The ONNX example trainer (examples/trainers/onnx_logistic, from the ONNX work) through the TrainModel consumer. It runs as
/// soon as this tree can score ONNX models; until then it is skipped, saying why, and only for that reason.
/// </summary>
public sealed class When_the_onnx_trainer_trains_a_model(ExternalTrainerEnvironment environment) : IClassFixture<ExternalTrainerEnvironment>
{
    [SkippableFact]
    public async Task An_onnx_version_is_registered_and_scoreable()
    {
        Skip.IfNot(OnnxIsScored(out var why), why);
        Assert.True(File.Exists(Path.Combine(ExternalTrainerEnvironment.TrainersDirectory, "onnx_logistic", "train.py")),
            "examples/trainers/onnx_logistic/train.py is missing, though this tree scores ONNX models.");
        var runId = Guid.NewGuid();

        await environment.PublishAsync(environment.ExternalCommand(runId, "onnx_logistic"));
        var registered = await environment.RegisteredAsync(runId);

        var version = (await environment.VersionAsync(registered.Version))!;
        Assert.Equal((ModelFormats.Onnx, "onnx_logistic"), (version.ModelFormat, version.Trainer));
        var artifacts = environment.Service<ArtifactStore>();
        Assert.Equal(version.ArtifactSha256, await artifacts.FindAsync(registered.TrainingRunId, "model.onnx"));
        var model = ModelFormats.Load(ModelFormats.Onnx, await artifacts.GetAsync(version.ArtifactSha256));
        Assert.Equal(version.Signature.Inputs, model.Inputs);
        Assert.InRange(model.Score(model.Inputs.Select(i => i.Type == SignatureColumn.Double ? (object?)12.0 : "month_to_month").ToList()), 0, 1);
        Assert.True(version.Metrics["auc"] > 0.6, $"Validation AUC {version.Metrics["auc"]}");
    }

    private static bool OnnxIsScored(out string why)
    {
        try
        {
            ModelFormats.Load(ModelFormats.Onnx, []);
        }
        catch (InvalidModelException exception) when (exception.Message.Contains("cannot be scored by this version yet", StringComparison.Ordinal))
        {
            why = $"ModelFormats.Load(\"onnx\", ...) says: {exception.Message}";
            return false;
        }
        catch (Exception)
        {
            // Any other refusal of an empty artifact means ONNX is read now.
        }
        why = "";
        return true;
    }
}
