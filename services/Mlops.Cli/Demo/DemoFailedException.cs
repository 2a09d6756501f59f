namespace Mlops.Cli.Demo;

/// <summary>The platform did not do what the demo expects; the message says what and where to look.</summary>
public sealed class DemoFailedException(string message) : Exception(message);
