using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Mlops.Hosting;
using Mlops.Testing;
using Mlops.Training.Trainers.External;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_external_trainers_are_configured(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task A_command_that_is_no_absolute_path_stops_the_service_at_start_up_naming_the_setting()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Training:ExternalTrainers:gbt:Command"] = "python3",
            ["Training:ExternalTrainers:gbt:DataFormat"] = "xlsx",
        };

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestHost.StartAsync(environment, "training", b =>
        {
            b.AddMlopsDefaults();
            b.AddTrainingService();
        }, settings));

        Assert.Contains(failure.Failures, f => f.StartsWith("Training:ExternalTrainers:gbt:Command 'python3' must be an absolute path or start with {trainers}"));
        Assert.Contains(failure.Failures, f => f == "Training:ExternalTrainers:gbt:DataFormat 'xlsx' must be csv or parquet.");
    }

    [Fact]
    public void The_shipped_configuration_runs_the_sklearn_example_copied_beside_the_binaries()
    {
        var options = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build()
            .GetSection(TrainingOptions.Section).Get<TrainingOptions>()!;

        Assert.Equal(ValidateOptionsResult.Success, new ExternalTrainersValidator().Validate(null, options));
        var trainer = options.ExternalTrainers["sklearn_gbt"];
        var script = Assert.Single(trainer.Arguments)
            .Replace(ExternalTrainerRunner.TrainersPlaceholder, Path.GetFullPath(options.TrainersDirectory, AppContext.BaseDirectory));
        Assert.True(File.Exists(script), $"{script} is missing");
        Assert.Equal(ExternalTrainerEnvironment.Python, trainer.Command);
        Assert.True(trainer.TimeLimit < TimeSpan.FromHours(1), "The orchestrator's Training step deadline (1 h) must outlast the time limit.");
    }
}
