using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_training_takes_longer_than_a_message_may_wait(SlowTrainingEnvironment environment) : IClassFixture<SlowTrainingEnvironment>
{
    [Fact]
    public async Task The_command_is_acknowledged_before_the_training_ends_and_the_lease_is_kept_by_heartbeats()
    {
        var runId = Guid.NewGuid();
        var before = await environment.Broker.AcknowledgedAsync(environment.VirtualHost, "train-model");
        await environment.PublishAsync(environment.Command(runId));

        await environment.WorkingAsync(runId);
        // Acknowledged, nothing ready or unacknowledged left in the queue, while still training: nothing registered yet.
        await Eventually.WaitAsync(async () => (await environment.Broker.AcknowledgedAsync(environment.VirtualHost, "train-model"),
                await environment.Broker.QueueDepthAsync(environment.VirtualHost, "train-model"), (await environment.LeaseAsync(runId))!.Status,
                await environment.VersionsAsync(runId)),
            seen => seen.Item1 > before && seen.Item2 == 0 && seen.Item3 == "open" && seen.Item4 == 0,
            "the TrainModel acknowledged and none left in train-model while the training still runs");

        var registered = await environment.RegisteredAsync(runId);
        var done = await environment.LeaseAsync(runId);
        Assert.Equal(1, await environment.VersionsAsync(runId));
        // The lease outlived its 1.5 s duration many times over on heartbeats alone: the second worker never took it.
        Assert.Equal(("done", 1), (done!.Status, done.Attempt));
        Assert.StartsWith("training@", done.Owner);
        Assert.Single(environment.Replies(runId).OfType<ModelRegistered>(), r => r.Version == registered.Version);
    }

    [Fact]
    public async Task A_command_repeated_during_the_training_trains_nothing_twice()
    {
        var runId = Guid.NewGuid();
        var before = await environment.Broker.AcknowledgedAsync(environment.VirtualHost, "train-model");
        await environment.PublishAsync(environment.Command(runId));
        await environment.WorkingAsync(runId);

        // As RabbitMQ would redeliver after consumer_timeout, and the saga re-send at its deadline: the same command again.
        await environment.PublishAsync(environment.Command(runId));
        await environment.PublishAsync(environment.Command(runId));
        await Eventually.WaitAsync(async () => (await environment.Broker.AcknowledgedAsync(environment.VirtualHost, "train-model"),
                (await environment.LeaseAsync(runId))!.Status, await environment.VersionsAsync(runId)),
            seen => seen.Item1 >= before + 3 && seen.Item2 == "open" && seen.Item3 == 0, "the three commands acknowledged while the training still runs");

        await environment.RegisteredAsync(runId);
        Assert.Equal(1, await environment.VersionsAsync(runId));
        Assert.Equal(1, await environment.TrackingRunsAsync(runId));
        Assert.Equal(("done", 1), ((await environment.LeaseAsync(runId))!.Status, (await environment.LeaseAsync(runId))!.Attempt));
        Assert.Single(environment.Replies(runId).OfType<ModelRegistered>());
    }

    [Fact]
    public async Task A_command_for_a_finished_step_is_answered_again_with_the_same_version()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.Command(runId));
        var first = await environment.RegisteredAsync(runId);

        await environment.PublishAsync(environment.Command(runId));
        var again = await environment.RegisteredAsync(runId, count: 2);

        Assert.Equal((first.Version, first.TrainingRunId, first.ArtifactSha256, first.TraceId), (again.Version, again.TrainingRunId, again.ArtifactSha256, again.TraceId));
        Assert.Equal(first.Metrics, again.Metrics);
        Assert.Equal(1, await environment.VersionsAsync(runId));
        Assert.Equal(1, (await environment.LeaseAsync(runId))!.Attempt);
    }

    [Fact]
    public async Task A_lease_whose_owner_died_is_taken_again_and_gives_exactly_one_version()
    {
        // A worker that took the step and died: its heartbeat stopped a minute ago, so its lease has expired.
        var runId = Guid.NewGuid();
        await environment.Database.PlantStepLeaseAsync(runId, "train", environment.Command(runId), "training@dead-host/4242/0badc0de",
            TimeSpan.FromSeconds(-50));

        var registered = await environment.RegisteredAsync(runId);

        var lease = await environment.LeaseAsync(runId);
        Assert.Equal(("done", 2), (lease!.Status, lease.Attempt));
        Assert.StartsWith("training@", lease.Owner);
        Assert.DoesNotContain("dead-host", lease.Owner);
        Assert.Equal(1, await environment.VersionsAsync(runId));
        Assert.Single(environment.Replies(runId).OfType<ModelRegistered>(), r => r.Version == registered.Version);
    }

    [Fact]
    public async Task A_lease_still_held_by_a_live_owner_is_left_alone_until_it_expires()
    {
        var runId = Guid.NewGuid();
        await environment.Database.PlantStepLeaseAsync(runId, "train", environment.Command(runId), "training@other-host/7/00c0ffee",
            TimeSpan.FromSeconds(3));

        // The other owner stops renewing; once its lease expires, this instance takes it (attempt 2) and trains once.
        var taken = await Eventually.WaitAsync(() => environment.LeaseAsync(runId), lease => lease!.Attempt >= 2, "the lease taken over");
        Assert.DoesNotContain("other-host", taken!.Owner);
        Assert.Equal(0, await environment.VersionsAsync(runId));

        await environment.RegisteredAsync(runId);
        Assert.Equal(1, await environment.VersionsAsync(runId));
        Assert.Equal(2, (await environment.LeaseAsync(runId))!.Attempt);
    }
}

public sealed class When_a_leased_step_cannot_be_worked(TrainingEnvironment environment) : IClassFixture<TrainingEnvironment>
{
    [Fact]
    public async Task It_is_set_aside_with_its_reason_and_the_steps_behind_it_go_on()
    {
        // A lease whose stored command no longer reads (written by a future version, or damaged): no retry would change that.
        var broken = Guid.NewGuid();
        await environment.Database.ExecuteAsync("""
            INSERT INTO steps.step_leases (pipeline_run_id, step, command_type, command) VALUES (@broken, 'train', 'Mlops.Contracts.TrainModel, Mlops.Contracts', '{"CorrelationId": 12')
            """, new { broken });
        var next = Guid.NewGuid();
        await environment.PublishAsync(environment.Command(next));

        await environment.RegisteredAsync(next);
        var failed = await Eventually.WaitAsync(() => environment.Database.QueryAsync<(string Status, string? Error)>(
                "SELECT status, last_error FROM steps.step_leases WHERE pipeline_run_id = @broken", new { broken }),
            rows => rows.Single().Status != "open", "the broken lease set aside");

        Assert.Equal("failed", failed.Single().Status);
        Assert.StartsWith("JsonException: ", failed.Single().Error);
        Assert.Equal(1, (await environment.Database.StepLeaseAsync(next, "train"))!.Attempt);
    }
}

public sealed class When_a_training_instance_stops_mid_step(SlowTrainingEnvironment environment) : IClassFixture<SlowTrainingEnvironment>
{
    [Fact]
    public async Task Another_instance_takes_the_step_over_and_exactly_one_version_is_registered()
    {
        var runId = Guid.NewGuid();
        await environment.PublishAsync(environment.Command(runId));
        var working = await environment.WorkingAsync(runId);
        Assert.StartsWith("training@", working!.Owner);

        var first = environment.Training;
        environment.Training = await environment.StartTrainingAsync("training-b");
        await first.StopQuietlyAsync();

        var registered = await environment.RegisteredAsync(runId);

        var lease = await environment.LeaseAsync(runId);
        Assert.Equal(("done", 2), (lease!.Status, lease.Attempt));
        Assert.StartsWith("training-b@", lease.Owner);
        Assert.Equal(1, await environment.VersionsAsync(runId));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM tracking.runs WHERE pipeline_run_id = @runId AND status = 'finished'", new { runId }));
        Assert.Single(environment.Replies(runId).OfType<ModelRegistered>(), r => r.Version == registered.Version);
    }
}
