using System.Net.Http.Json;

namespace Mlops.Api.Tests;

/// <summary>An API that takes landed files of at most <see cref="MaxLandingBytes"/>, with one registered raw table to land into.</summary>
public sealed class LandingFixture : ApiFixture
{
    public const int MaxLandingBytes = 64 * 1024;

    public const string Table = "raw.shop_orders";

    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Api:RefusalsBeforeAlert"] = "10000",
        ["Api:MaxLandingBytes"] = MaxLandingBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await EnsureAsync(await Admin.PostAsJsonAsync("/api/raw/tables", new
        {
            name = Table,
            columns = new object[]
            {
                new { name = "order_id", type = "bigint" }, new { name = "customer_id", type = "bigint", required = true },
                new { name = "amount", type = "numeric" }, new { name = "score", type = "double precision" }, new { name = "quantity", type = "integer" },
                new { name = "ordered_at", type = "timestamptz" }, new { name = "ship_date", type = "date" }, new { name = "express", type = "boolean" },
                new { name = "note", type = "text" },
            },
            key = new[] { "order_id" },
            eventTime = "ordered_at",
        }));
    }
}
