namespace Mlops.Api.Requests;

/// <summary>Ground-truth labels for served predictions of a model.</summary>
public sealed record LabelsLandedRequest(string? ModelName, IReadOnlyList<LabelRequest>? Labels);
