using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Hosting.Data;
using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Admission;

/// <summary>
/// "The prod environment can only run prod code": a run of a code version in an environment of the promotion chain starts
/// only once a run of that code completed the pipeline in the environment before it. Checked for every run admission
/// starts, whatever the trigger (a release published straight onto the bus for prod, new data, drift, a follow-up), so no
/// path around the API's promote-code reaches a run.
/// </summary>
public sealed class CodePromotionRule(AdmissionStore store, IOptionsMonitor<PipelineOptions> options)
{
    /// <summary>Why <paramref name="codeVersion"/> may not run for <paramref name="modelName"/>, or null when it may.</summary>
    public async Task<string?> RefusalAsync(DbSession session, string modelName, string codeVersion, CancellationToken cancellationToken)
    {
        var chain = options.CurrentValue.Promotion;
        var model = ModelName.Parse(modelName);
        if (chain.Before(model.Catalog) is not { } before)
            return null;

        var previous = PromotionChain.ModelIn(before, model);
        if (await store.FindCompletedRunAsync(session, previous, codeVersion, cancellationToken) is not null)
            return null;
        return $"Refused: code {codeVersion} never completed the pipeline in {before} ({previous} has no Completed run of it), and {model.Catalog} " +
            $"runs only code that did (Pipeline:Promotion:Chain is {chain.Chain}). Run it in {before} first, then promote it.";
    }
}
