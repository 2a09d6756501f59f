using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>One model in each environment of the default chain (dev, staging, prod), trained only with released code; prod sets no RequireApproval.</summary>
public sealed class PromotionChainPipeline : PipelineHosts
{
    public const string Dev = "dev.ml.chain";
    public const string Staging = "staging.ml.chain";
    public const string Prod = "prod.ml.chain";

    public override TimeSpan StepTimeout => TimeSpan.FromMinutes(1);

    protected override IReadOnlyList<PipelineModelOptions> Models =>
        [.. new[] { Dev, Staging, Prod }.Select(name => TestModels.Model(name, m => { m.CodeVersion = null; m.Trainer = null; }))];
}
