namespace Mlops.Catalog;

/// <summary>
/// The order code is promoted through the environments (<c>Pipeline:Promotion:Chain</c>, e.g. "dev,staging,prod"): code runs
/// in an environment only once a run of it completed in the environment before it. The first environment of the chain, and
/// one the chain leaves out, takes any code. Read by the orchestrator (which refuses runs) and the API (which promotes).
/// </summary>
public sealed class PromotionChain
{
    public const string Section = "Pipeline:Promotion";

    public string Chain { get; set; } = "dev,staging,prod";

    public IReadOnlyList<string> Environments => Chain.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The environment code must have completed the pipeline in before it runs in <paramref name="environment"/>; null when none.</summary>
    public string? Before(string environment)
    {
        var chain = Environments;
        var index = chain.ToList().IndexOf(environment);
        return index > 0 ? chain[index - 1] : null;
    }

    /// <summary>What is wrong with the chain, or nothing.</summary>
    public IEnumerable<string> Problems()
    {
        var chain = Environments;
        if (chain.Count == 0)
            yield return $"{Section}:Chain names no environment: use e.g. dev,staging,prod.";
        foreach (var unknown in chain.Where(e => !ModelName.Environments.Contains(e)))
            yield return $"{Section}:Chain: '{unknown}' is not an environment (dev, staging or prod).";
        foreach (var repeated in chain.GroupBy(e => e).Where(g => g.Count() > 1))
            yield return $"{Section}:Chain names {repeated.Key} more than once.";
    }

    /// <summary>The model of the same schema and name in another environment: the catalog is the environment.</summary>
    public static string ModelIn(string environment, ModelName model) => new ModelName(environment, model.Schema, model.Model).FullName;
}
