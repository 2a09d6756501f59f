using Dapper;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Hosting.Data;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

/// <summary>
/// A second domain with labels observed apart from the features (raw.conversions, each with its time): a training set joins
/// each label to the entity's features as they were at the label's time, so a value observed later never reaches it.
/// </summary>
public sealed class When_labels_are_observed_after_the_features(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    private const int Users = 40;
    private static readonly DateTime Day1 = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private const string Definition = """
        name: visit_features
        description: Spend per visit; converted is observed later, in raw.conversions.
        source: raw.visits
        entity: user_id
        timestamp: seen_at
        label:
          name: converted
          source: raw.conversions
          entity: user_id
          timestamp: converted_at
          expression: CASE WHEN converted THEN 1 ELSE 0 END
        features:
          - name: spend
            type: numeric
            expression: spend
          - name: spend_band
            type: categorical
            expression: CASE WHEN spend >= 1000 THEN 'future' ELSE 'past' END
        """;

    [Fact]
    public async Task A_future_feature_value_never_reaches_a_training_row()
    {
        await CreateSourcesAsync();
        await environment.RegisterAsync(Definition);
        var table = await environment.FeatureStore.FindTableAsync("visit_features");

        // Day 1: every user's spend is 10 + id. Day 2: the conversions (and user 1 converts again on day 4). Day 3: spend jumps
        // to 1000 + id, after every day-2 label: a naive join on the latest version would hand those values to the day-2 labels.
        var past = await LandVisitsAsync(Day1, id => 10 + id);
        await LandConversionsAsync();
        var future = await LandVisitsAsync(Day1.AddDays(2), id => 1000 + id);
        var first = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(Command(past)));
        var second = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(Command(future)));
        Assert.Equal(first.FeatureVersion + 1, second.FeatureVersion);

        var training = await environment.FeatureStore.ReadTrainingSetAsync(table!, second.FeatureVersion);

        Assert.Equal(Users + 1, training.RowCount);
        var spend = training.Numeric["spend"];
        for (var row = 0; row < training.RowCount; row++)
        {
            var id = training.EntityIds[row];
            var isLateLabel = id == 1 && row > 0 && training.EntityIds[row - 1] == 1;
            Assert.Equal(isLateLabel ? 1000 + id : 10 + id, spend[row]);
            Assert.Equal(isLateLabel ? "future" : "past", training.Categorical["spend_band"][row]);
        }
        Assert.Equal(Enumerable.Range(1, Users).Select(id => id % 3 == 0 ? 1.0 : 0.0).Prepend(0.0).Order(),
            training.Labels!.Order());
        // The version itself holds the latest values: only the training set is joined by time.
        Assert.All((await environment.FeatureStore.ReadVersionAsync(table!, second.FeatureVersion)).Numeric["spend"], value => Assert.True(value >= 1000));
    }

    private RefreshFeatures Command(Guid batchId) =>
        environment.Command(Guid.NewGuid(), batchId) with { FeatureTable = "visit_features", SourceTable = "raw.visits" };

    private async Task CreateSourcesAsync()
    {
        await using var owner = await environment.Database.OpenAsAsync(DatabaseAccessPolicy.OwnerRole);
        await owner.ExecuteAsync("""
            CREATE TABLE raw.visits (batch_id uuid NOT NULL REFERENCES raw.batches, user_id bigint NOT NULL, seen_at timestamptz NOT NULL, spend double precision);
            CREATE TABLE raw.conversions (batch_id uuid NOT NULL REFERENCES raw.batches, user_id bigint NOT NULL, converted_at timestamptz NOT NULL, converted boolean);
            """);
    }

    private async Task<Guid> LandVisitsAsync(DateTime seenAt, Func<long, double> spend)
    {
        var batchId = Guid.NewGuid();
        await using var owner = await environment.Database.OpenAsAsync(DatabaseAccessPolicy.OwnerRole);
        await owner.ExecuteAsync("""
            INSERT INTO raw.batches (batch_id, source_table, row_count, producer, environment) VALUES (@batchId, 'raw.visits', @Users, 'tests', 'dev');
            """, new { batchId, Users });
        await owner.ExecuteAsync("INSERT INTO raw.visits (batch_id, user_id, seen_at, spend) VALUES (@batchId, @id, @seenAt, @value)",
            Enumerable.Range(1, Users).Select(id => new { batchId, id = (long)id, seenAt, value = spend(id) }));
        return batchId;
    }

    private async Task LandConversionsAsync()
    {
        var batchId = Guid.NewGuid();
        await using var owner = await environment.Database.OpenAsAsync(DatabaseAccessPolicy.OwnerRole);
        await owner.ExecuteAsync("""
            INSERT INTO raw.batches (batch_id, source_table, row_count, producer, environment) VALUES (@batchId, 'raw.conversions', @rows, 'tests', 'dev');
            """, new { batchId, rows = Users + 1 });
        var labels = Enumerable.Range(1, Users).Select(id => new { batchId, id = (long)id, at = Day1.AddDays(1), converted = id % 3 == 0 })
            .Append(new { batchId, id = 1L, at = Day1.AddDays(3), converted = false });
        await owner.ExecuteAsync("INSERT INTO raw.conversions (batch_id, user_id, converted_at, converted) VALUES (@batchId, @id, @at, @converted)", labels);
    }
}
