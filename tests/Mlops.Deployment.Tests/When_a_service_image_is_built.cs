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
        // So does every file it takes from elsewhere in the repository (the example feature tables and trainers it ships).
        string[] items = ["ProjectReference", "None", "Content", "EmbeddedResource"];
        foreach (var project in ServiceProject.All)
        foreach (var reference in System.Xml.Linq.XDocument.Load(Path.Combine(project.Directory, project.Name + ".csproj")).Descendants()
                     .Where(e => items.Contains(e.Name.LocalName) && e.Attribute("Include") is not null))
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
            // Training, because its image carries more than its assemblies: the example trainers its configuration runs.
            foreach (var (_, command) in Dockerfile.Stage("build").Where(i => i.Instruction == "RUN"))
            {
                var (exitCode, log) = await ShellAsync(command.Replace("/app", output), new() { ["SERVICE"] = "Mlops.Training" });
                Assert.True(exitCode == 0, $"`{command}` failed ({exitCode}):\n{log}");
            }
            var entryPoint = await File.ReadAllTextAsync(Path.Combine(output, "entrypoint.sh"));
            Assert.Contains($"exec dotnet {output}/Mlops.Training.dll", entryPoint);
            Assert.True(File.Exists(Path.Combine(output, "Mlops.Training.dll")));
            Assert.True(File.Exists(Path.Combine(output, "appsettings.json")));

            // Every script the published configuration's trainers run lies where {trainers} points in the image.
            using var settings = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "appsettings.json")));
            var training = settings.RootElement.GetProperty("Training");
            var trainers = Path.GetFullPath(training.GetProperty("TrainersDirectory").GetString()!, output);
            var scripts = training.GetProperty("ExternalTrainers").EnumerateObject()
                .SelectMany(t => t.Value.GetProperty("Arguments").EnumerateArray().Select(a => a.GetString()!))
                .Where(a => a.StartsWith("{trainers}/", StringComparison.Ordinal))
                .Select(a => a.Replace("{trainers}", trainers)).ToList();
            Assert.NotEmpty(scripts);
            Assert.All(scripts, script => Assert.True(File.Exists(script), $"{script} is not in the published image"));
            foreach (var example in Directory.GetDirectories(Repository.Path("examples", "trainers")))
                Assert.True(File.Exists(Path.Combine(trainers, Path.GetFileName(example), "train.py")), $"the example {Path.GetFileName(example)} is not published");

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
    public async Task Only_the_training_image_installs_python_with_scikit_learn_and_onnx()
    {
        // The runtime stage's RUN lines with apt-get and rm standing in (they record their arguments), for Training and another service.
        var bin = Directory.CreateTempSubdirectory("mlops-image-tools-").FullName;
        try
        {
            foreach (var tool in new[] { "apt-get", "rm" })
            {
                var path = Path.Combine(bin, tool);
                await File.WriteAllTextAsync(path, $"#!/bin/sh\necho \"{tool} $*\" >> \"$TOOL_LOG\"\n");
                Assert.Equal(0, (await ShellAsync($"chmod 700 '{path}'", [])).ExitCode);
            }
            async Task<string> InstalledFor(string service)
            {
                var log = Path.Combine(bin, service + ".log");
                await File.WriteAllTextAsync(log, "");
                foreach (var (_, command) in Dockerfile.FinalStage.Where(i => i.Instruction == "RUN" && i.Arguments.Contains("apt-get")))
                {
                    var (exitCode, output) = await ShellAsync(command, new()
                    {
                        ["SERVICE"] = service, ["TOOL_LOG"] = log, ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
                    });
                    Assert.True(exitCode == 0, $"`{command}` failed for {service} ({exitCode}):\n{output}");
                }
                return await File.ReadAllTextAsync(log);
            }

            var training = await InstalledFor("Mlops.Training");
            var install = training.Split('\n').FirstOrDefault(line => line.StartsWith("apt-get install", StringComparison.Ordinal))?.Split(' ');
            Assert.True(install is not null, $"the runtime stage installs nothing for Mlops.Training:\n{training}");
            Assert.Contains("python3-sklearn", install);
            Assert.Contains("python3-onnx", install);
            Assert.Contains("--no-install-recommends", install);
            Assert.Contains(training.Split('\n'), line => line.StartsWith("rm -rf /var/lib/apt/lists/", StringComparison.Ordinal));
            Assert.Equal("", await InstalledFor("Mlops.Serving"));
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
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
