namespace Mlops.Serving.Models;

/// <summary>
/// What one model name serves right now. The references are replaced whole (never mutated), so a hot swap is a single
/// reference write: requests in flight finish on the version they started with.
/// </summary>
public sealed class ServedModel(string modelName, LoadedModel champion, LoadedModel? challenger)
{
    private LoadedModel _champion = champion;
    private LoadedModel? _challenger = challenger;

    public string ModelName { get; } = modelName;

    public LoadedModel Champion => Volatile.Read(ref _champion);

    public LoadedModel? Challenger => Volatile.Read(ref _challenger);

    public void Swap(LoadedModel champion, LoadedModel? challenger)
    {
        Volatile.Write(ref _champion, champion);
        Volatile.Write(ref _challenger, challenger);
    }
}
