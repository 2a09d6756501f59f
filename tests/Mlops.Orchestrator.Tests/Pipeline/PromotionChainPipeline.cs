using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>One model in each environment of the default chain (dev, staging, prod), trained only with released code; prod sets no RequireApproval.</summary>
public sealed class PromotionChainPipeline : PipelineHosts
{
    public const string Dev = "dev.ml.chain";
    public const string Staging = "staging.ml.chain";
    public const string Prod = "prod.ml.chain";

    /// <summary>A prod model of its own, so its lane is free whatever the other tests left running in prod.ml.chain's.</summary>
    public const string ProdManual = "prod.ml.manual";

    public override TimeSpan StepTimeout => TimeSpan.FromMinutes(1);

    protected override IReadOnlyList<PipelineModelOptions> Models =>
        [
            .. new[] { Dev, Staging, Prod }.Select(name => TestModels.Model(name, m => { m.CodeVersion = null; m.Trainer = null; })),
            TestModels.Model(ProdManual, m => m.CodeVersion = null),
        ];
}
