namespace Mlops.Catalog.Models;

/// <summary>
/// The formats a model version's artifact can be in, as registry.model_versions.model_format records them, with the artifact
/// name each is stored under in its training run.
/// </summary>
public static class ModelFormats
{
    /// <summary>The portable JSON document (docs/model-format.md), scored by <see cref="CompiledModel"/>.</summary>
    public const string Portable = ModelDocument.CurrentFormat;

    /// <summary>An ONNX graph (docs/model-format.md, "ONNX models"), scored by <see cref="OnnxModel"/> through ONNX Runtime.</summary>
    public const string Onnx = "onnx";

    public static IReadOnlyList<string> All { get; } = [Portable, Onnx];

    /// <summary>The tracking artifact a model of this format is stored as.</summary>
    public static string ArtifactName(string format) => format switch
    {
        Portable => "model.json",
        Onnx => "model.onnx",
        _ => throw new InvalidModelException($"Unknown model format '{format}'; known: {string.Join(", ", All)}."),
    };

    /// <summary>
    /// Loads an artifact of the given format, refusing one that does not hold a scoreable model of it. An ONNX model holds a
    /// native ONNX Runtime session: dispose it (it is <see cref="IDisposable"/>) when no caller can still score with it, or
    /// leave it to the session's finalizer.
    /// </summary>
    public static IScoringModel Load(string format, byte[] artifact) => format switch
    {
        Portable => CompiledModel.Load(artifact),
        Onnx => OnnxModel.Load(artifact),
        _ => throw new InvalidModelException($"Unknown model format '{format}'; known: {string.Join(", ", All)}."),
    };
}
