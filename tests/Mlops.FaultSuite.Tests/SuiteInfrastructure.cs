using System.Diagnostics;
using Mlops.Testing;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// The suite's own RabbitMQ node and PostgreSQL cluster (deploy/infra.sh with MLOPS_INFRA_DIR and the MLOPS_*_PORT variables
/// deploy/test.sh sets), where the built services live, and where the suite writes its logs and figures.
/// </summary>
public static class SuiteInfrastructure
{
    private const string SharedInfraDirectory = "/var/tmp/mlops-infra";

    public static bool Enabled => Environment.GetEnvironmentVariable("MLOPS_FAULT_SUITE") == "1";

    public const string SkipReason =
        "The fault suite runs from deploy/test.sh (MLOPS_FAULT_SUITE=1) against its own RabbitMQ node and PostgreSQL cluster.";

    public static string RepositoryRoot => BuiltServices.RepositoryRoot;

    public static string Artifacts { get; } = Directory.CreateDirectory(Path.Combine(RepositoryRoot, "artifacts", "fault-suite")).FullName;

    /// <summary>Refuses to stop or restart anything but a stack started for the suite: other test runs must never feel its faults.</summary>
    public static void EnsureOwnStack()
    {
        var directory = Environment.GetEnvironmentVariable("MLOPS_INFRA_DIR");
        if (string.IsNullOrEmpty(directory) || Path.GetFullPath(directory).TrimEnd('/') == SharedInfraDirectory)
            throw new InvalidOperationException(
                $"The fault suite stops and restarts its broker and database: set MLOPS_INFRA_DIR to a stack of its own (not {SharedInfraDirectory}).");
        if (Environment.GetEnvironmentVariable("MLOPS_RABBITMQ_PORT") != TestInfrastructure.RabbitMqPort.ToString()
            || !TestInfrastructure.PostgresAdminConnectionString.Contains($"Port={Environment.GetEnvironmentVariable("MLOPS_PG_PORT")};", StringComparison.Ordinal))
            throw new InvalidOperationException(
                "MLOPS_RABBITMQ_PORT / MLOPS_PG_PORT must name the stack the tests talk to (eval \"$(deploy/infra.sh env)\" with the same settings).");
    }

    public static Task StopRabbitMqAsync() => InfraAsync("stop", "rabbitmq");

    public static Task StartRabbitMqAsync() => InfraAsync("start", "rabbitmq");

    public static Task RestartPostgresAsync() => InfraAsync("restart", "postgres");

    public static string ServiceDirectory(string service) => BuiltServices.Directory(service);

    private static async Task InfraAsync(params string[] arguments)
    {
        EnsureOwnStack();
        var start = new ProcessStartInfo("bash") { WorkingDirectory = RepositoryRoot, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot, "deploy", "infra.sh"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"deploy/infra.sh {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
    }
}
