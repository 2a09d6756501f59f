using System.Diagnostics;
using Mlops.Testing;

namespace Mlops.Hosting.Tests;

/// <summary>Runs the built mlops.dll as an operator would, against a test environment's database and virtual host.</summary>
public static class CliRunner
{
    public sealed record CliResult(int ExitCode, string Output, string Error);

    public static async Task<CliResult> RunAsync(TestEnvironment environment, params string[] args) =>
        await RunAsync(environment.Database.ConnectionString, environment.VirtualHost, args);

    public static Task<CliResult> RunAsync(string connectionString, string virtualHost, params string[] args) =>
        RunAsync(connectionString, virtualHost, new Dictionary<string, string>(), args);

    public static async Task<CliResult> RunAsync(string connectionString, string virtualHost, IDictionary<string, string> settings, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mlops.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["ConnectionStrings__Postgres"] = connectionString;
        start.Environment["Messaging__RabbitMq__Host"] = TestInfrastructure.RabbitMqHost;
        start.Environment["Messaging__RabbitMq__Port"] = TestInfrastructure.RabbitMqPort.ToString();
        start.Environment["Messaging__RabbitMq__VirtualHost"] = virtualHost;
        start.Environment["Messaging__RabbitMq__Username"] = TestInfrastructure.RabbitMqUser;
        start.Environment["Messaging__RabbitMq__Password"] = TestInfrastructure.RabbitMqPassword;
        start.Environment["Cli__PublishTimeout"] = "00:00:10";
        // The owner's password, which the CLI's database user (mlops_owner) reads from deploy/infra.sh's secrets.
        if (TestInfrastructure.SecretsDirectory is { } secrets)
            start.Environment["Secrets__Directory"] = secrets;
        foreach (var (key, value) in settings)
            start.Environment[key] = value;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }
}
