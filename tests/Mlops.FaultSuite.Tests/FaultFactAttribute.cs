using Xunit;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// A fault scenario. It kills processes and stops the broker and the database, so it runs only when asked to
/// (MLOPS_FAULT_SUITE=1, as deploy/test.sh does against a stack of its own); a plain <c>dotnet test Mlops.sln</c> skips it.
/// </summary>
public sealed class FaultFactAttribute : FactAttribute
{
    public FaultFactAttribute()
    {
        if (!SuiteInfrastructure.Enabled)
            Skip = SuiteInfrastructure.SkipReason;
    }
}
