namespace Mlops.FaultSuite.Tests;

public sealed record CliResult(int ExitCode, string Output, string Error);
