namespace Mlops.Contracts;

/// <summary>Evaluate a model's monitoring windows now instead of at the next scheduled evaluation.</summary>
public record MonitorModel
{
    /// <summary>The model, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked.</summary>
    public string Principal { get; init; } = "";
}
