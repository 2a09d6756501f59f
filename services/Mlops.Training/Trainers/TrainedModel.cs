using Mlops.Catalog.Models;

namespace Mlops.Training.Trainers;

/// <summary>A fitted model and what the fit itself reports (e.g. iterations), logged with the tracking run.</summary>
public sealed record TrainedModel(ModelDocument Document, IReadOnlyDictionary<string, double> Diagnostics);
