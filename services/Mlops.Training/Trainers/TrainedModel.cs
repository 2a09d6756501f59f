using Mlops.Catalog.Models;

namespace Mlops.Training.Trainers;

/// <summary>
/// A fitted model and what the fit itself reports (e.g. iterations, or an external trainer's own metrics.json), logged with the
/// tracking run. A portable model is held as its document, so Training can add its metadata before storing it; a model in
/// another format (<see cref="ModelFormats"/>) is stored exactly as the trainer wrote it.
/// </summary>
public sealed record TrainedModel
{
    public TrainedModel(ModelDocument document, IReadOnlyDictionary<string, double> diagnostics)
    {
        Format = ModelFormats.Portable;
        Document = document;
        Diagnostics = diagnostics;
    }

    public TrainedModel(string format, byte[] artifact, IReadOnlyDictionary<string, double> diagnostics)
    {
        if (format == ModelFormats.Portable)
            throw new ArgumentException("A portable model is given as its document.", nameof(format));
        Format = format;
        Artifact = artifact;
        Diagnostics = diagnostics;
    }

    /// <summary>One of <see cref="ModelFormats"/>.</summary>
    public string Format { get; }

    /// <summary>The model document when <see cref="Format"/> is the portable one.</summary>
    public ModelDocument? Document { get; }

    /// <summary>The artifact as written, for every other format.</summary>
    public byte[]? Artifact { get; }

    public IReadOnlyDictionary<string, double> Diagnostics { get; }

    /// <summary>Files kept with the tracking run besides the model (an external trainer's stdout.txt and stderr.txt), by name.</summary>
    public IReadOnlyDictionary<string, byte[]> Logs { get; init; } = new Dictionary<string, byte[]>();
}
