using Microsoft.Extensions.Configuration;
using Mlops.Orchestrator.Configuration;
using Xunit;

namespace Mlops.Orchestrator.Tests.Admission;

public sealed class When_environments_are_configured
{
    private static (PipelineOptions Options, List<string> Failures) Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new PipelineOptions();
        configuration.GetSection(PipelineOptions.Section).Bind(options);
        return (options, new PipelineOptionsValidator(configuration).Validate(null, options).Failures?.ToList() ?? []);
    }

    private static PipelineModelOptions Model(string name, bool? requireApproval = null, TimeSpan? cooldown = null) =>
        new() { Name = name, FeatureTable = "churn_features", SourceTable = "raw.churn_customers", RequireApproval = requireApproval, Cooldown = cooldown };

    [Fact]
    public void Prod_requires_an_approval_by_default_and_an_environment_or_a_model_may_say_otherwise()
    {
        var (options, failures) = Bind(new()
        {
            ["Pipeline:Environments:staging:RequireApproval"] = "true",
            ["Pipeline:Environments:staging:Cooldown"] = "00:20:00",
            ["Pipeline:Environments:prod:Cooldown"] = "06:00:00",
        });

        Assert.Empty(failures);
        Assert.False(options.RequiresApproval(Model("dev.ml.churn")));
        Assert.True(options.RequiresApproval(Model("staging.ml.churn")));
        Assert.True(options.RequiresApproval(Model("prod.ml.churn")));
        Assert.False(options.RequiresApproval(Model("prod.ml.churn", requireApproval: false)));
        Assert.Equal(TimeSpan.FromMinutes(20), options.CooldownOf(Model("staging.ml.churn")));
        Assert.Equal(TimeSpan.FromMinutes(5), options.CooldownOf(Model("prod.ml.churn", cooldown: TimeSpan.FromMinutes(5))));
        Assert.Null(options.CooldownOf(Model("dev.ml.churn")));
    }

    [Fact]
    public void The_promotion_chain_is_configurable_and_names_each_environment_before_the_next()
    {
        var (options, failures) = Bind(new() { ["Pipeline:Promotion:Chain"] = "dev, prod" });

        Assert.Empty(failures);
        Assert.Equal("dev", options.Promotion.Before("prod"));
        Assert.Null(options.Promotion.Before("dev"));
        Assert.Null(options.Promotion.Before("staging"));
        Assert.Equal("staging", new PipelineOptions().Promotion.Before("prod"));
    }

    [Fact]
    public void An_unknown_environment_a_bad_chain_or_a_misspelt_key_stops_start_up()
    {
        var (_, failures) = Bind(new()
        {
            ["Pipeline:Promotion:Chain"] = "dev,qa,dev",
            ["Pipeline:Promotion:Order"] = "x",
            ["Pipeline:Environments:uat:RequireApproval"] = "true",
            ["Pipeline:Environments:prod:RequireAproval"] = "true",
            ["Pipeline:Environments:dev:Cooldown"] = "-00:01:00",
        });

        Assert.Contains("Pipeline:Promotion:Chain: 'qa' is not an environment (dev, staging or prod).", failures);
        Assert.Contains("Pipeline:Promotion:Chain names dev more than once.", failures);
        Assert.Contains(failures, f => f.StartsWith("Pipeline:Promotion:Order is not a setting"));
        Assert.Contains("Pipeline:Environments:uat is not an environment: Pipeline:Environments knows dev, staging and prod.", failures);
        Assert.Contains(failures, f => f.StartsWith("Pipeline:Environments:prod:RequireAproval is not a setting"));
        Assert.Contains("Pipeline:Environments:dev:Cooldown must not be negative, not -00:01:00.", failures);
    }
}
