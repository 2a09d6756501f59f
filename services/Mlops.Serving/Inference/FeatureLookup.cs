using System.Collections.Concurrent;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Serving.Models;

namespace Mlops.Serving.Inference;

/// <summary>
/// Serving by entity key: fills the inputs a request left out from the online store, by the row's key. The model version's
/// feature table (from the registry) and the model's environment (its catalog) choose the online table, so a prod model never
/// gets a dev version's values. A version's target is resolved on its first request by key and kept (feature tables never
/// change their columns); a table not online yet is asked again on the next such request.
/// </summary>
public sealed class FeatureLookup(ModelRegistry registry, OnlineStore onlineStore)
{
    private readonly ConcurrentDictionary<(string, int), LookupTarget> _targets = new();
    private LookupFailure? _lastFailure;

    /// <summary>The failure of the latest lookup, or null when it succeeded (or none failed yet): readiness reports it.</summary>
    public LookupFailure? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>Notes that the online store (or the registry behind it) could not be read for a request by key.</summary>
    public void Failed(Exception exception, DateTimeOffset at, bool transient) =>
        Volatile.Write(ref _lastFailure, new LookupFailure(at, exception.Message, transient));

    /// <summary>The target already resolved for this version, without a database read.</summary>
    public LookupTarget? Cached(LoadedModel model) => _targets.GetValueOrDefault((model.ModelName, model.Version));

    /// <summary>The version's target, or null when its feature table has never been published online.</summary>
    public async Task<LookupTarget?> ResolveAsync(LoadedModel model, CancellationToken cancellationToken)
    {
        if (Cached(model) is { } cached)
            return cached;
        if (await registry.FindVersionAsync(model.ModelName, model.Version, cancellationToken) is not { } version
            || await onlineStore.FindTableAsync(version.FeatureTable, cancellationToken) is not { } table)
            return null;

        var inputs = model.Model.Inputs;
        var columns = new List<FeatureColumn>(inputs.Count);
        var positions = new int[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var type = inputs[i].Type == SignatureColumn.Double ? FeatureType.Numeric : FeatureType.Categorical;
            var column = table.Columns.FirstOrDefault(c => c.Name == inputs[i].Name && c.Type == type);
            positions[i] = column is null ? -1 : columns.Count;
            if (column is not null)
                columns.Add(column);
        }
        return _targets[(model.ModelName, model.Version)] = new LookupTarget(table, ModelName.Parse(model.ModelName).Catalog, columns, positions);
    }

    /// <summary>
    /// Fills every <see cref="InvocationRows.Missing"/> cell from the stored features of its row's key, with one query for the
    /// whole request. Returns the keys not found (distinct, in request order), in which case nothing is filled.
    /// </summary>
    public async Task<IReadOnlyList<long>> FillAsync(LookupTarget target, InvocationRows request, IReadOnlyList<SignatureColumn> inputs,
        CancellationToken cancellationToken)
    {
        var keys = request.Keys ?? throw new ArgumentException("The request names no entity keys.", nameof(request));
        var distinct = new List<long>();
        var seen = new HashSet<long>();
        for (var r = 0; r < keys.Length; r++)
        {
            if (keys[r] is not { } key)
                continue;
            if (seen.Add(key))
                distinct.Add(key);
            var row = request.Rows[r];
            for (var c = 0; c < row.Length; c++)
            {
                if (ReferenceEquals(row[c], InvocationRows.Missing) && target.Positions[c] < 0)
                    throw new InvalidRequestException(
                        $"Row {r} has no column '{inputs[c].Name}', which the model requires and feature table {target.Table.Name} does not hold: send it with the key.");
            }
        }

        var found = await onlineStore.LookupAsync(target.Table, target.Environment, target.Columns, distinct.ToArray(), cancellationToken);
        // Read before written: a healthy store costs requests no shared write.
        if (Volatile.Read(ref _lastFailure) is not null)
            Volatile.Write(ref _lastFailure, null);
        if (found.Count < distinct.Count)
            return distinct.Where(k => !found.ContainsKey(k)).ToList();

        for (var r = 0; r < keys.Length; r++)
        {
            if (keys[r] is not { } key)
                continue;
            var stored = found[key];
            var row = request.Rows[r];
            for (var c = 0; c < row.Length; c++)
            {
                if (ReferenceEquals(row[c], InvocationRows.Missing))
                    row[c] = stored[target.Positions[c]];
            }
        }
        return [];
    }
}
