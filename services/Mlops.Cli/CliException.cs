namespace Mlops.Cli;

/// <summary>A failure the operator can act on: printed as one "mlops: ..." line on stderr, exit code 1.</summary>
public sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);
