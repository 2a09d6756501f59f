using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Orchestrator.Configuration;
using Xunit;

namespace Mlops.Orchestrator.Tests.Admission;

public sealed class When_the_pipeline_is_configured
{
    private readonly PipelineOptionsValidator _validator = new(new ConfigurationBuilder().Build());

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
        options.DefaultCooldown = TimeSpan.FromMinutes(-1);
        options.ScheduleCheckInterval = TimeSpan.Zero;
        options.Models[0].Schedule = "0 25 * * *";

        var failures = _validator.Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Pipeline:StepTimeouts:Training must be positive"));
        Assert.Contains(failures, f => f.StartsWith("Pipeline:Models:1:Name: 'churn' is not a model name"));
        Assert.Contains(failures, f => f.StartsWith("Pipeline:Models:1:FeatureTable 'Churn Features'"));
        Assert.Contains(failures, f => f.StartsWith("Pipeline:Models:1:SourceTable 'churn_customers'"));
        Assert.Contains("Pipeline:Models names dev.ml.churn more than once.", failures);
        Assert.Contains("Pipeline:DefaultCooldown must not be negative, not -00:01:00.", failures);
        Assert.Contains("Pipeline:ScheduleCheckInterval must be positive, not 00:00:00.", failures);
        Assert.Contains("Pipeline:Models:0:Schedule: '0 25 * * *' is not a cron expression: hour 25 is out of range 0-23.", failures);
    }

    [Fact]
    public void A_blank_schedule_is_no_schedule()
    {
        var model = Valid();
        model.Schedule = " ";

        Assert.False(model.HasSchedule);
        Assert.True(_validator.Validate(null, new PipelineOptions { Models = [model] }).Succeeded);
    }

    [Fact]
    public void The_readable_settings_bind_from_configuration()
    {
        var options = Bind(new()
        {
            ["Pipeline:DefaultCooldown"] = "00:20:00",
            ["Pipeline:Models:0:Name"] = "dev.ml.churn",
            ["Pipeline:Models:0:OnNewData"] = "RetrainUntilChampion",
            ["Pipeline:Models:0:Cooldown"] = "00:01:00",
            ["Pipeline:Models:0:Schedule"] = "0 3 * * *",
        });

        var model = Assert.Single(options.Models);
        Assert.Equal((NewDataPolicy.RetrainUntilChampion, TimeSpan.FromMinutes(1), "0 3 * * *"), (model.OnNewData, model.Cooldown, model.Schedule));
        Assert.Equal(TimeSpan.FromMinutes(20), options.DefaultCooldown);
    }

    [Fact]
    public void By_default_new_data_is_ignored_and_alerts_cool_down_for_an_hour()
    {
        var options = Bind(new() { ["Pipeline:Models:0:Name"] = "dev.ml.churn" });

        Assert.Equal((NewDataPolicy.Ignore, (TimeSpan?)null, (string?)null), (options.Models[0].OnNewData, options.Models[0].Cooldown, options.Models[0].Schedule));
        Assert.Equal(TimeSpan.FromHours(1), options.DefaultCooldown);
    }

    [Fact]
    public void The_replaced_RetrainOnNewData_stops_start_up_and_says_what_replaced_it()
    {
        var configuration = Configuration(new()
        {
            ["Pipeline:Models:0:Name"] = "dev.ml.churn",
            ["Pipeline:Models:0:FeatureTable"] = "churn_features",
            ["Pipeline:Models:0:SourceTable"] = "raw.churn_customers",
            ["Pipeline:Models:0:RetrainOnNewData"] = "true",
        });

        var failures = Validate(configuration);

        Assert.Equal(
            "Pipeline:Models:0:RetrainOnNewData is no longer a setting: OnNewData replaced it: \"OnNewData\": \"Retrain\" is what true did, " +
            "\"Ignore\" what false did, and \"RetrainUntilChampion\" retrains on new data only until the model has a champion.",
            Assert.Single(failures));
    }

    [Fact]
    public void A_misspelt_setting_stops_start_up_instead_of_being_ignored()
    {
        var configuration = Configuration(new()
        {
            ["Pipeline:DefaultCooldwn"] = "00:10:00",
            ["Pipeline:StepTimeouts:Trainig"] = "00:10:00",
            ["Pipeline:Models:0:Name"] = "dev.ml.churn",
            ["Pipeline:Models:0:FeatureTable"] = "churn_features",
            ["Pipeline:Models:0:SourceTable"] = "raw.churn_customers",
            ["Pipeline:Models:0:Schedul"] = "0 3 * * *",
            ["Pipeline:Models:0:Parameters:anything_goes"] = "1",
        });

        var failures = Validate(configuration);

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Pipeline:DefaultCooldwn is not a setting; Pipeline knows Models, StepTimeouts, StartGracePeriod, DefaultCooldown,"));
        Assert.Contains(failures, f => f.StartsWith("Pipeline:StepTimeouts:Trainig is not a setting; Pipeline:StepTimeouts knows RefreshingFeatures, Training,"));
        Assert.Contains(failures, f => f.StartsWith("Pipeline:Models:0:Schedul is not a setting; Pipeline:Models:0 knows Name, FeatureTable,"));
    }

    [Fact]
    public void The_development_settings_are_valid_and_the_demo_model_retrains_until_it_has_a_champion()
    {
        var service = Path.Combine(RepositoryRoot(), "services", "Mlops.Orchestrator");
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(service, "appsettings.json"))
            .AddJsonFile(Path.Combine(service, "appsettings.Development.json"))
            .Build();

        Assert.Empty(Validate(configuration));
        var options = new PipelineOptions();
        configuration.GetSection(PipelineOptions.Section).Bind(options);
        var churn = Assert.Single(options.Models);
        Assert.Equal(("dev.ml.churn", NewDataPolicy.RetrainUntilChampion, TimeSpan.FromMinutes(1)), (churn.Name, churn.OnNewData, churn.Cooldown));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Mlops.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException($"No Mlops.sln above {AppContext.BaseDirectory}.");
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private static List<string> Validate(IConfiguration configuration)
    {
        var options = new PipelineOptions();
        configuration.GetSection(PipelineOptions.Section).Bind(options);
        return new PipelineOptionsValidator(configuration).Validate(null, options).Failures?.ToList() ?? [];
    }

    /// <summary>Binds the section the way the orchestrator does.</summary>
    private static PipelineOptions Bind(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection().AddSingleton(Configuration(settings));
        services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section);
        return services.BuildServiceProvider().GetRequiredService<IOptions<PipelineOptions>>().Value;
    }

    private static PipelineModelOptions Valid() => new() { Name = "dev.ml.churn", FeatureTable = "churn_features", SourceTable = "raw.churn_customers" };
}
