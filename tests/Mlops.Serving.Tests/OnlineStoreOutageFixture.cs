namespace Mlops.Serving.Tests;

/// <summary>
/// <see cref="FeatureLookupFixture"/> for tests that take the online store away from Serving: the caller's token stays cached
/// for the whole class, so the only database read a request by key needs is the lookup itself.
/// </summary>
public sealed class OnlineStoreOutageFixture : FeatureLookupFixture
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Serving:Authentication:TokenCacheDuration"] = "00:30:00",
    };
}
