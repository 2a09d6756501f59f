namespace Mlops.Api.Tests;

/// <summary>An API on an empty database: no principal, no admin, no token yet.</summary>
public sealed class EmptyFixture : ApiFixture
{
    protected override bool BootstrapAdmin => false;
}
