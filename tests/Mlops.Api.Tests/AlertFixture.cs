namespace Mlops.Api.Tests;

/// <summary>An API that raises a SecurityAlert on the third refusal of one principal within a minute.</summary>
public sealed class AlertFixture : ApiFixture
{
    protected override IDictionary<string, string?> HostSettings => new Dictionary<string, string?>
    {
        ["Api:RefusalsBeforeAlert"] = "3",
        ["Api:RefusalWindow"] = "00:01:00",
    };
}
