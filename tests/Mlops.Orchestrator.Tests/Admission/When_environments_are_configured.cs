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

    [Fact]
    public void An_environment_sets_its_compliance_mode_and_thresholds_and_a_model_of_it_runs_with_them()
    {
        var (options, failures) = Bind(new()
        {
            ["Pipeline:Environments:dev:ComplianceMode"] = "disabled",
            ["Pipeline:Environments:prod:ComplianceMode"] = "enforced",
            ["Pipeline:Environments:prod:Thresholds:Metric"] = "log_loss",
            ["Pipeline:Environments:prod:Thresholds:MinimumDelta"] = "0.01",
            ["Pipeline:Environments:prod:Thresholds:BaselineThreshold"] = "0.5",
            ["Pipeline:Environments:prod:Thresholds:MetricFloors:auc"] = "0.75",
        });

        Assert.Empty(failures);
        Assert.Equal("disabled", options.ComplianceModeOf(Model("dev.ml.churn")));
        Assert.Null(options.ThresholdsOf(Model("dev.ml.churn")));
        Assert.Null(options.ComplianceModeOf(Model("staging.ml.churn")));
        var prod = options.ThresholdsOf(Model("prod.ml.churn"))!;
        Assert.Equal(("log_loss", 0.01, 0.5, 0.75), (prod.Metric, prod.MinimumDelta, prod.BaselineThreshold, prod.MetricFloors["auc"]));
        Assert.Equal("enforced", options.ComplianceModeOf(Model("prod.ml.churn")));
    }

    [Fact]
    public void A_step_or_threshold_no_service_could_apply_stops_start_up_naming_the_key()
    {
        var (_, failures) = Bind(new()
        {
            ["Pipeline:Environments:prod:ComplianceMode"] = "strict",
            ["Pipeline:Environments:prod:Thresholds:Metric"] = "rmse",
            ["Pipeline:Environments:prod:Thresholds:MinimumDelta"] = "-0.1",
            ["Pipeline:Environments:prod:Thresholds:BaselineThreshold"] = "NaN",
            ["Pipeline:Environments:prod:Thresholds:MetricFloors:auc"] = "1.5",
            ["Pipeline:Environments:prod:Thresholds:MetricFloors:mape"] = "0.1",
            ["Pipeline:Environments:prod:Thresholds:Margin"] = "0.1",
        });

        Assert.Contains("Pipeline:Environments:prod:ComplianceMode is 'strict'; expected enforced, dry_run, disabled.", failures);
        Assert.Contains("Pipeline:Environments:prod:Thresholds:Metric is 'rmse'; known metrics: auc, accuracy, f1, log_loss, precision, recall.", failures);
        Assert.Contains("Pipeline:Environments:prod:Thresholds:MinimumDelta is -0.1; expected a finite number of at least 0.", failures);
        Assert.Contains("Pipeline:Environments:prod:Thresholds:BaselineThreshold is NaN; expected a finite number of at least 0.", failures);
        Assert.Contains("Pipeline:Environments:prod:Thresholds:MetricFloors:auc is 1.5; expected a number from 0 to 1.", failures);
        Assert.Contains("Pipeline:Environments:prod:Thresholds:MetricFloors names 'mape'; known metrics: auc, accuracy, f1, log_loss, precision, recall.", failures);
        Assert.Contains(failures, f => f.StartsWith("Pipeline:Environments:prod:Thresholds:Margin is not a setting"));
    }
}
