using System.Diagnostics;
using System.Text.RegularExpressions;
using Mlops.Testing;
using Xunit;

namespace Mlops.Deployment.Tests;

/// <summary>
/// The one-shot migration job compose and Kubernetes run before the services (which then start with
/// Database:MigrateOnStartup=false): `mlops migrate` must apply the migrations of every project under services/, or a
/// service would start against tables nobody created.
/// </summary>
public sealed partial class When_the_migration_job_runs(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Mlops_migrate_applies_every_services_migrations()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "mlops.dll"), "migrate"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ConnectionStrings__Postgres"] = environment.Database.ConnectionString;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"mlops migrate exited with {process.ExitCode}: {await output}{await error}");

        var applied = (await environment.Database.QueryAsync<(string Module, int Version)>("SELECT module, version FROM migrations.history"))
            .Select(m => $"{m.Module}/{m.Version:D4}").ToHashSet();
        var missing = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Repository.Path("services"), "*.sql", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repository.Path("services"), file).Replace('\\', '/');
            if (MigrationFile().Match(relative) is { Success: true } match && !applied.Contains($"{match.Groups["module"].Value}/{match.Groups["version"].Value}"))
                missing.Add(relative);
        }
        Assert.True(missing.Count == 0,
            $"mlops migrate left out {string.Join(", ", missing)}: embed the project's Migrations/**/*.sql in services/Mlops.Cli/Mlops.Cli.csproj as the others are");
    }

    [GeneratedRegex(@"^(?<project>[^/]+)/Migrations/(?<module>[a-z_][a-z0-9_]*)/(?<version>\d{4})_[a-z0-9_]+\.sql$")]
    private static partial Regex MigrationFile();
}
