using Xunit;

namespace Mlops.BatchScoring.Tests;

public sealed class When_entity_keys_are_batch_scored(BatchScoringFixture platform) : IClassFixture<BatchScoringFixture>
{
    [Fact]
    public async Task Only_those_entities_are_scored_and_unknown_keys_are_listed_in_the_errors()
    {
        var ids = platform.DevFrame.EntityIds;
        long[] known = [ids[0], ids[41], ids[41], ids[250], ids[^1]];
        long[] unknown = [ids[0] + 1, -5, ids[^1] + 3_000];

        var queued = await platform.StartAsync(BatchScoringFixture.Model, new { entityKeys = known.Concat(unknown).Reverse().ToArray() });
        Assert.Equal(7, queued.EntityKeyCount);
        var job = await platform.EndedAsync(BatchScoringFixture.Model, queued.JobId);

        Assert.Equal("completed", job.State);
        Assert.Equal(4, job.RowsScored);
        Assert.Equal(known.Distinct().Order(), (await platform.PredictionsAsync(job.JobId)).Select(p => p.EntityId));
        var error = Assert.Single(job.Errors);
        Assert.Contains($"3 of 7 keys are not entities of {BatchScoringArranger.Table.Name} version {platform.DevFeatureVersion}", error);
        foreach (var key in unknown)
            Assert.Contains(key.ToString(), error);
    }

    [Fact]
    public async Task A_job_of_unknown_keys_only_fails_naming_them()
    {
        var job = await platform.EndedAsync(BatchScoringFixture.Model,
            (await platform.StartAsync(BatchScoringFixture.Model, new { entityKeys = new[] { 1L, 2L } })).JobId);

        Assert.Equal("failed", job.State);
        Assert.Contains("None of the 2 keys is an entity of", job.Failure);
        Assert.Contains("1, 2", job.Failure);
        Assert.Empty(await platform.PredictionsAsync(job.JobId));
    }
}
