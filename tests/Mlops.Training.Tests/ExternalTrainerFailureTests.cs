using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_an_external_trainer_fails(ExternalTrainerEnvironment environment) : IClassFixture<ExternalTrainerEnvironment>
{
    [Theory]
    [InlineData("exit", "Trainer 'scripted' exited with code 3.")]
    [InlineData("no_model", "Trainer 'scripted' exited with code 0 but wrote no model.json to its output directory (it wrote: metrics.json, notes.txt).")]
    [InlineData("garbage", "Trainer 'scripted' wrote a model.json that is not a valid mlops.model/v1 model: The model artifact is not a valid model document:")]
    [InlineData("bad_document", "Trainer 'scripted' wrote a model.json that is not a valid mlops.model/v1 model: Coefficient 'no_such_column' names no design column")]
    [InlineData("unknown_input", "Signature mismatch: the model.json of trainer 'scripted' takes input 'age', which is not a feature it was given " +
        "(tenure_months (double), monthly_charges (double), contract_type (string)).")]
    [InlineData("wrong_type", "Signature mismatch: the model.json of trainer 'scripted' takes input 'contract_type' as double, but the feature is string")]
    [InlineData("label_input", "Signature mismatch: the model.json of trainer 'scripted' takes the label 'churned' as an input; a model cannot be given its own answer.")]
    [InlineData("nan_metrics", "metrics.json: metric 'auc' is NaN; every metric must be a finite number.")]
    [InlineData("nan_scores", "The model scored")]
    public async Task The_step_ends_TrainingFailed_with_the_reason_and_registers_nothing(string mode, string reason)
    {
        var runId = Guid.NewGuid();
        var command = environment.ExternalCommand(runId, "scripted", new Dictionary<string, string> { ["mode"] = mode });

        await environment.PublishAsync(command);
        var failed = await environment.FailedAsync(runId);

        Assert.Contains(reason, failed.Reason);
        Assert.Equal((command.ModelName, command.Environment, command.Principal), (failed.ModelName, failed.Environment, failed.Principal));
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM registry.model_versions WHERE pipeline_run_id = @runId", new { runId }));
        var run = await environment.TrackingRunAsync(runId);
        Assert.Equal(("failed", failed.Reason), (run.Status, run.Error));
        // What the trainer printed stays with the failed run.
        Assert.Contains($"mode {mode}", await environment.ArtifactTextAsync(run.RunId, "stdout.txt"));
        Assert.NotNull(await environment.ArtifactTextAsync(run.RunId, "stderr.txt"));
    }

    [Fact]
    public async Task A_non_zero_exit_gives_the_end_of_stderr_in_the_reason()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.ExternalCommand(runId, "scripted", new Dictionary<string, string> { ["mode"] = "exit" }));

        var failed = await environment.FailedAsync(runId);

        Assert.StartsWith("Trainer 'scripted' exited with code 3. The end of its stderr:\n", failed.Reason);
        Assert.EndsWith("trace line 40\nValueError: the data made no sense", failed.Reason);
        // Bounded: the last 20 lines, not the 41 it wrote.
        Assert.Contains("trace line 22\n", failed.Reason);
        Assert.DoesNotContain("trace line 21\n", failed.Reason);
        var run = await environment.TrackingRunAsync(runId);
        Assert.StartsWith("trace line 1\n", await environment.ArtifactTextAsync(run.RunId, "stderr.txt"));
    }

    [Fact]
    public async Task A_trainer_over_its_time_limit_is_killed_with_its_children()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.ExternalCommand(runId, "scripted_slow"));

        var failed = await environment.FailedAsync(runId);

        Assert.StartsWith("Trainer 'scripted_slow' ran longer than its time limit of 00:00:03 and was stopped (its process tree was killed).", failed.Reason);
        var run = await environment.TrackingRunAsync(runId);
        var stdout = await environment.ArtifactTextAsync(run.RunId, "stdout.txt");
        var child = int.Parse(stdout!.Split('\n').Single(line => line.StartsWith("child ")).Split(' ')[1]);
        // The trainer's own child (a sleep of 300 s) is gone too, or a zombie waiting to be reaped.
        await Eventually.WaitAsync(() => Task.FromResult(TrainerProcesses.State(child)), state => !TrainerProcesses.IsAlive(state), $"process {child} to end");
        Assert.Empty(Directory.EnumerateFileSystemEntries(environment.WorkDirectory));
    }

    [Theory]
    [InlineData("/bin/sh")]
    [InlineData("python3 -c 'import os'")]
    [InlineData("unconfigured")]
    [InlineData("nul\u0000in a name")]
    public async Task A_message_naming_an_unconfigured_trainer_is_refused(string trainer)
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.ExternalCommand(runId, trainer));

        var failed = await environment.FailedAsync(runId);

        Assert.Equal($"Unknown trainer '{trainer.Replace("\u0000", "\\u0000")}'; this service runs: logistic_regression, missing, onnx_logistic, scripted, scripted_hang, scripted_parquet, scripted_slow, sklearn_gbt.",
            failed.Reason);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM tracking.runs WHERE pipeline_run_id = @runId", new { runId }));
    }

    [Fact]
    public async Task A_command_that_does_not_exist_fails_the_step_saying_so()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.ExternalCommand(runId, "missing"));

        var failed = await environment.FailedAsync(runId);

        Assert.Contains("no_such_trainer", failed.Reason);
        Assert.Contains("No such file or directory", failed.Reason);
        Assert.Equal("failed", (await environment.TrackingRunAsync(runId)).Status);
    }

    [Fact]
    public async Task A_parameter_the_trainer_is_not_configured_with_is_refused_before_it_runs()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.ExternalCommand(runId, "sklearn_gbt", new Dictionary<string, string> { ["n_estimatorz"] = "10" }));

        var failed = await environment.FailedAsync(runId);

        Assert.Equal("Unknown parameter 'n_estimatorz' for trainer sklearn_gbt; known: features, learning_rate, max_categories, max_depth, min_samples_leaf, " +
            "n_estimators, seed, subsample.", failed.Reason);
    }
}
