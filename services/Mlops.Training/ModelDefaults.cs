namespace Mlops.Training;

/// <summary>What every new version of one model gets unless its TrainModel says otherwise (e.g. the pii tag a compliance rule looks for).</summary>
public sealed class ModelDefaults
{
    public string? Description { get; set; }

    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);
}
