using Mlops.Orchestrator.Configuration;
using Xunit;

namespace Mlops.Orchestrator.Tests.Admission;

public sealed class When_the_pipeline_is_configured
{
    private readonly PipelineOptionsValidator _validator = new();

    [Fact]
    public void A_valid_configuration_passes() =>
        Assert.True(_validator.Validate(null, new PipelineOptions { Models = [Valid()] }).Succeeded);

    [Fact]
    public void Every_mistake_is_reported_at_once_with_where_it_is()
    {
        var options = new PipelineOptions
        {
            Models =
            [
                Valid(),
                new PipelineModelOptions { Name = "churn", FeatureTable = "Churn Features", SourceTable = "churn_customers" },
                Valid(),
            ],
        };
        options.StepTimeouts.Training = TimeSpan.Zero;

        var failures = _validator.Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Pipeline:StepTimeouts:Training must be positive"));
        Assert.Contains(failures, f => f.StartsWith("Pipeline:Models:1:Name: 'churn' is not a model name"));
        Assert.Contains(failures, f => f.StartsWith("Pipeline:Models:1:FeatureTable 'Churn Features'"));
        Assert.Contains(failures, f => f.StartsWith("Pipeline:Models:1:SourceTable 'churn_customers'"));
        Assert.Contains("Pipeline:Models names dev.ml.churn more than once.", failures);
    }

    private static PipelineModelOptions Valid() => new() { Name = "dev.ml.churn", FeatureTable = "churn_features", SourceTable = "raw.churn_customers" };
}
