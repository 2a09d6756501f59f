using System.Diagnostics;
using Mlops.Testing;
using Xunit;

namespace Mlops.Deployment.Tests;

/// <summary>
/// The one Dockerfile: any service by its SERVICE build argument, published and run as a non-root user, healthy while the
/// service's /health/ready answers. Its build commands are run here for one service (publishing every service would take
/// minutes; the solution build, which deploy/test.sh runs first, compiles them all); its health check runs against a real host.
/// </summary>
public sealed class When_a_service_image_is_built(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public void The_build_stage_publishes_the_project_the_service_argument_names()
    {
        var build = Dockerfile.Stage("build");
        Assert.Contains(build, i => i.Instruction == "ARG" && i.Arguments == "SERVICE");
        Assert.Contains(build, i => i.Instruction == "RUN" && i.Arguments.Contains("dotnet publish \"services/$SERVICE/$SERVICE.csproj\" -c Release"));
        // Everything a service project references lies under what the build stage copies.
        var copied = build.Where(i => i.Instruction == "COPY").Select(i => i.Arguments.Split(' ')[0].TrimEnd('/')).ToList();
        foreach (var project in ServiceProject.All)
        foreach (var reference in System.Xml.Linq.XDocument.Load(Path.Combine(project.Directory, project.Name + ".csproj")).Descendants("ProjectReference"))
        {
            var referenced = Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(project.Directory, reference.Attribute("Include")!.Value)));
            Assert.True(copied.Any(c => referenced.StartsWith(c + "/", StringComparison.Ordinal)), $"{project} references {referenced}, which the build stage does not copy");
        }
    }

    [Fact]
    public void The_image_runs_as_a_non_root_user_with_a_health_check_on_the_port_it_listens_on()
    {
        var final = Dockerfile.FinalStage;
        var user = final.Last(i => i.Instruction == "USER").Arguments;
        Assert.DoesNotContain(user, new[] { "root", "0", "0:0" });
        Assert.Contains("/app/healthcheck.sh", final.Single(i => i.Instruction == "HEALTHCHECK").Arguments);
        Assert.Contains(final, i => i.Instruction == "EXPOSE" && i.Arguments == Dockerfile.ContainerPort.ToString());
        Assert.Contains("${HEALTH_PORT:-" + Dockerfile.ContainerPort + "}", Repository.Read("deploy", "docker", "healthcheck.sh"));
        Assert.Equal("[\"/app/entrypoint.sh\"]", final.Single(i => i.Instruction == "ENTRYPOINT").Arguments);
    }

    [Fact]
    public async Task Its_build_commands_publish_a_service_and_an_entry_point_that_names_its_assembly()
    {
        var output = Directory.CreateTempSubdirectory("mlops-image-").FullName;
        try
        {
            // The build stage's RUN lines as the image builder runs them (WORKDIR /src is the repository root), into a scratch /app.
            foreach (var (_, command) in Dockerfile.Stage("build").Where(i => i.Instruction == "RUN"))
            {
                var (exitCode, log) = await ShellAsync(command.Replace("/app", output), new() { ["SERVICE"] = "Mlops.Compliance" });
                Assert.True(exitCode == 0, $"`{command}` failed ({exitCode}):\n{log}");
            }
            var entryPoint = await File.ReadAllTextAsync(Path.Combine(output, "entrypoint.sh"));
            Assert.Contains($"exec dotnet {output}/Mlops.Compliance.dll", entryPoint);
            Assert.True(File.Exists(Path.Combine(output, "Mlops.Compliance.dll")));
            Assert.True(File.Exists(Path.Combine(output, "appsettings.json")));

            // And a wrong argument stops the build with a message that says what to pass.
            var (wrongExit, wrongLog) = await ShellAsync(Dockerfile.Stage("build").First(i => i.Instruction == "RUN").Arguments, new() { ["SERVICE"] = "Mlops.Nothing" });
            Assert.NotEqual(0, wrongExit);
            Assert.Contains("SERVICE must name a project under services/", wrongLog);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task The_health_check_passes_while_the_service_is_ready_and_fails_once_it_is_gone()
    {
        var (host, address) = await RealService.StartAsync(environment);
        var port = address.Port;
        var check = Repository.Path("deploy", "docker", "healthcheck.sh");
        try
        {
            await Eventually.WaitAsync(async () => (await ShellAsync(check, new() { ["HEALTH_PORT"] = port.ToString() })).ExitCode == 0,
                "the image's health check to pass against a ready service");
            Assert.NotEqual(0, (await ShellAsync(check, new() { ["HEALTH_PORT"] = port.ToString(), ["HEALTH_PATH"] = "/no-such-endpoint" })).ExitCode);
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
        Assert.NotEqual(0, (await ShellAsync(check, new() { ["HEALTH_PORT"] = port.ToString() })).ExitCode);
    }

    private static async Task<(int ExitCode, string Log)> ShellAsync(string command, Dictionary<string, string> variables)
    {
        var start = new ProcessStartInfo("bash", ["-c", command])
        {
            WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var (key, value) in variables)
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
