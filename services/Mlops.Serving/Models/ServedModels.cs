using System.Collections.Concurrent;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;

namespace Mlops.Serving.Models;

/// <summary>
/// The models this instance serves: loaded from the registry's champion (and challenger) aliases on first use or at start,
/// reloaded when an alias moves and reconciled with the registry periodically (a missed message is followed anyway). A version
/// that fails to load never replaces one that works; canary and shadow traffic only ever go to a challenger whose version is
/// "ready" and that this instance has not heard rejected by its evaluation.
/// </summary>
public sealed partial class ServedModels(ModelRegistry registry, ArtifactStore artifacts, ILogger<ServedModels> logger)
{
    private readonly ConcurrentDictionary<string, ServedModel> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _loading = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, int), LoadedModel> _compiled = new();
    private readonly ConcurrentDictionary<(string, int), bool> _rejected = new();

    public IReadOnlyCollection<string> Loaded => _models.Keys.ToList();

    /// <summary>The versions held loaded, by model: a served model's champion and challenger, nothing it no longer serves.</summary>
    public IReadOnlyCollection<(string ModelName, int Version)> LoadedVersions => _compiled.Keys.ToList();

    /// <summary>The served model, loading it on first use; null when the model has no champion to serve.</summary>
    public async ValueTask<ServedModel?> GetAsync(string modelName, CancellationToken cancellationToken)
    {
        if (_models.TryGetValue(modelName, out var served))
            return served;

        var gate = _loading.GetOrAdd(modelName, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_models.TryGetValue(modelName, out served))
                return served;
            var (champion, challenger) = await LoadAliasesAsync(modelName, cancellationToken);
            if (champion is null)
                return null;
            served = new ServedModel(modelName, champion, challenger);
            _models[modelName] = served;
            LogServing(modelName, champion.Version, null);
            return served;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Reloads a served model's aliases and swaps to them; a model not served here is left alone.</summary>
    public async Task RefreshAsync(string modelName, CancellationToken cancellationToken)
    {
        if (!_models.TryGetValue(modelName, out var served))
            return;

        var gate = _loading.GetOrAdd(modelName, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var (champion, challenger) = await LoadAliasesAsync(modelName, cancellationToken);
            if (champion is null)
                return;
            var before = served.Champion.Version;
            var challengerBefore = served.Challenger?.Version;
            served.Swap(champion, challenger);
            Unload(modelName, champion, challenger);
            if (before != champion.Version)
                LogServing(modelName, champion.Version, before);
            if (challengerBefore != challenger?.Version)
                LogChallenger(modelName, challenger?.Version, challengerBefore);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Re-reads the aliases of every served model: the bound on how long a missed alias-change message matters.</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        foreach (var modelName in Loaded)
        {
            try
            {
                await RefreshAsync(modelName, cancellationToken);
            }
            catch (Exception exception) when (exception is ModelUnavailableException or Npgsql.NpgsqlException or TimeoutException)
            {
                // The versions in use keep serving; the next reconcile tries again.
                LogReconcileFailed(exception, modelName);
            }
        }
    }

    /// <summary>
    /// The evaluation rejected <paramref name="version"/>: it never gets canary or shadow traffic here, even if the challenger
    /// alias points at it. Nothing is reloaded. Under the model's gate, so a reload in progress cannot bring it back.
    /// </summary>
    public async Task RejectChallengerAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        _rejected[(modelName, version)] = true;
        if (!_models.TryGetValue(modelName, out var served))
            return;

        var gate = _loading.GetOrAdd(modelName, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (served.Challenger?.Version == version)
            {
                served.Swap(served.Champion, null);
                Unload(modelName, served.Champion, null);
                LogChallenger(modelName, null, version);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Whether this instance heard that the evaluation rejected <paramref name="version"/>.</summary>
    public bool WasRejected(string modelName, int version) => _rejected.ContainsKey((modelName, version));

    private async Task<(LoadedModel? Champion, LoadedModel? Challenger)> LoadAliasesAsync(string modelName, CancellationToken cancellationToken)
    {
        var championVersion = await registry.FindAliasAsync(modelName, ModelAliases.Champion, cancellationToken);
        if (championVersion is null)
            return (null, null);
        var champion = await LoadAsync(modelName, championVersion.Value, cancellationToken);

        LoadedModel? challenger = null;
        var challengerVersion = await registry.FindAliasAsync(modelName, ModelAliases.Challenger, cancellationToken);
        if (challengerVersion is { } version && version != championVersion && await IsServableChallengerAsync(modelName, version, cancellationToken))
        {
            try
            {
                challenger = await LoadAsync(modelName, version, cancellationToken);
            }
            catch (ModelUnavailableException exception)
            {
                // The champion keeps serving; only canary and shadow traffic lose their target.
                LogChallengerUnavailable(exception, modelName, version);
            }
        }
        return (champion, challenger);
    }

    private async Task<bool> IsServableChallengerAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        if (_rejected.ContainsKey((modelName, version)))
            return false;
        // Read every time, not cached: a version archived after it was loaded must stop getting traffic at the next reconcile.
        var status = (await registry.FindVersionAsync(modelName, version, cancellationToken))?.Status;
        if (status == "ready")
            return true;
        LogChallengerNotServed(modelName, version, status ?? "not registered");
        return false;
    }

    private async Task<LoadedModel> LoadAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        if (_compiled.TryGetValue((modelName, version), out var loaded))
            return loaded;

        var modelVersion = await registry.FindVersionAsync(modelName, version, cancellationToken)
            ?? throw new ModelUnavailableException($"{modelName} v{version} is not registered.", new KeyNotFoundException());
        try
        {
            var model = ModelFormats.Load(modelVersion.ModelFormat, await artifacts.GetAsync(modelVersion.ArtifactSha256, cancellationToken));
            return _compiled[(modelName, version)] = new LoadedModel(modelName, version, model);
        }
        catch (Exception exception) when (exception is ArtifactIntegrityException or InvalidModelException or KeyNotFoundException)
        {
            throw new ModelUnavailableException($"{modelName} v{version} cannot be served: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Forgets the loaded versions of a model that neither alias serves any more. Nothing is disposed here: a request that
    /// picked a version before the swap still scores with it, and an ONNX version's native session is released by ONNX
    /// Runtime's finalizer once no request holds it, so no request ever meets a disposed model. Under the model's gate.
    /// </summary>
    private void Unload(string modelName, LoadedModel champion, LoadedModel? challenger)
    {
        foreach (var key in _compiled.Keys)
            if (key.Item1 == modelName && key.Item2 != champion.Version && key.Item2 != challenger?.Version && _compiled.TryRemove(key, out _))
                LogUnloaded(modelName, key.Item2);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {ModelName} v{Version} (before: v{PreviousVersion})")]
    private partial void LogServing(string modelName, int version, int? previousVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Challenger of {ModelName}: v{Version} (before: v{PreviousVersion})")]
    private partial void LogChallenger(string modelName, int? version, int? previousVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The challenger alias of {ModelName} points at v{Version}, which is {Status} or was rejected: no canary or shadow traffic")]
    private partial void LogChallengerNotServed(string modelName, int version, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciling {ModelName} with the registry failed; the loaded versions keep serving")]
    private partial void LogReconcileFailed(Exception exception, string modelName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unloaded {ModelName} v{Version}: no alias serves it any more")]
    private partial void LogUnloaded(string modelName, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The challenger {ModelName} v{Version} cannot be loaded")]
    private partial void LogChallengerUnavailable(Exception exception, string modelName, int version);
}
