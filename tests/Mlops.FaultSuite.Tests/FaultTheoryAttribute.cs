using Xunit;

namespace Mlops.FaultSuite.Tests;

/// <summary>A fault scenario over a catalogue of cases; skipped like <see cref="FaultFactAttribute"/> unless the suite is asked for.</summary>
public sealed class FaultTheoryAttribute : TheoryAttribute
{
    public FaultTheoryAttribute()
    {
        if (!SuiteInfrastructure.Enabled)
            Skip = SuiteInfrastructure.SkipReason;
    }
}
