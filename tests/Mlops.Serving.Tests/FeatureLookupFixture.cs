using Mlops.Catalog.Features;
using Mlops.Catalog.Registry;

namespace Mlops.Serving.Tests;

/// <summary>
/// Serving with an online feature table: dev.ml.scoring and prod.ml.scoring both trained on <see cref="Table"/>, whose dev
/// and prod versions are published online the way FeatureRefresh publishes them (its role, the same OnlineStore call).
/// </summary>
public class FeatureLookupFixture : ServingFixture
{
    public const string ProdModel = "prod.ml.scoring";
    public const string Table = "scoring_features";
    public const string UnpublishedModel = "dev.ml.unpublished";

    public static readonly FeatureTableDefinition Definition = new()
    {
        Name = Table,
        EntityColumn = "customer_id",
        Columns = [new FeatureColumn("x", FeatureType.Numeric), new FeatureColumn("color", FeatureType.Categorical)],
        SourceTable = "raw.scoring",
    };

    /// <summary>Dev's stored features: key → (x, color); key 3's color is a stored null. Key 6 is the one a test publishes again.</summary>
    public static readonly IReadOnlyDictionary<long, (double X, string? Color)> Dev = new Dictionary<long, (double, string?)>
    {
        [1] = (2.0, "red"), [2] = (-3.5, "blue"), [3] = (0.5, null), [6] = (0.25, "blue"),
    };

    /// <summary>Prod's stored features: key 1 differs from dev's, key 10 exists only in prod, key 2 only in dev.</summary>
    public static readonly IReadOnlyDictionary<long, (double X, string? Color)> Prod = new Dictionary<long, (double, string?)>
    {
        [1] = (4.0, "blue"), [10] = (1.0, "red"),
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await MoveAliasAsync(ModelAliases.Champion, await RegisterAsync(-1.0, 0.5, Model, Table), null);
        await MoveAliasAsync(ModelAliases.Champion, await RegisterAsync(0.3, -0.7, ProdModel, Table), null, model: ProdModel);
        await MoveAliasAsync(ModelAliases.Champion, await RegisterAsync(-1.0, 0.5, UnpublishedModel, "never_published"), null, model: UnpublishedModel);
        await PublishVersionAsync("dev", Dev);
        await PublishVersionAsync("prod", Prod);
    }

    /// <summary>Writes a version of <see cref="Table"/> in <paramref name="environment"/> and publishes it online, as FeatureRefresh does.</summary>
    public async Task<OnlinePublication> PublishVersionAsync(string environment, IReadOnlyDictionary<long, (double X, string? Color)> rows)
    {
        var features = new FeatureStore(DataSourceAs("feature-refresh"));
        var online = new OnlineStore(DataSourceAs("feature-refresh"), features);
        var keys = rows.Keys.ToArray();
        var frame = new FeatureFrame(Definition.Columns, keys,
            new Dictionary<string, double[]> { ["x"] = keys.Select(k => rows[k].X).ToArray() },
            new Dictionary<string, string?[]> { ["color"] = keys.Select(k => rows[k].Color).ToArray() }, null);

        await using (var session = SessionAs("feature-refresh"))
        {
            await session.BeginAsync();
            await features.EnsureTableAsync(session, Definition);
            var version = await features.WriteVersionAsync(session, Definition, frame, [Guid.NewGuid()], null, [], "tests", environment);
            await session.CommitAsync();
            await using var publish = SessionAs("feature-refresh");
            await publish.BeginAsync();
            var publication = await online.PublishAsync(publish, Table, version);
            await publish.CommitAsync();
            return publication;
        }
    }
}
