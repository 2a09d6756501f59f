namespace Mlops.Api.Tests;

/// <summary>An API whose database commands give up after a second, so a test can make the database "not answer" by holding a lock.</summary>
public sealed class SlowDatabaseFixture : ApiFixture
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Api:RefusalsBeforeAlert"] = "10000",
        ["Database:CommandTimeoutSeconds"] = "1",
    };
}
