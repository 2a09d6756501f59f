using Xunit;

namespace Mlops.Deployment.Tests;

/// <summary>
/// docker-compose.yml against the services as they are (there is no Docker engine here to run it): every service is in it,
/// built from the one Dockerfile, health-checked, started only once what it needs is healthy or done, and configured
/// with keys it really reads.
/// </summary>
public sealed class When_the_stack_runs_in_docker_compose
{
    private static readonly string[] Infrastructure = ["rabbitmq", "postgres", "jaeger"];

    private readonly ComposeFile _compose = new();

    [Fact]
    public void Every_service_project_has_a_compose_service_built_from_the_dockerfile()
    {
        var missing = ServiceProject.HttpServices.Where(project => _compose.BuiltFrom(project).Count == 0).ToList();
        Assert.True(missing.Count == 0,
            $"No compose service builds {string.Join(", ", missing)}: add a block `<<: *mlops-service` with build.args.SERVICE set to the project (see docker-compose.yml).");

        foreach (var (name, service) in _compose.Services.Where(s => ComposeFile.BuildArgument(s.Value) is not null))
        {
            var project = ComposeFile.BuildArgument(service)!;
            Assert.True(File.Exists(Repository.Path("services", project, project + ".csproj")), $"{name} builds {project}, which is no project under services/");
            Assert.Equal(".", service.Map("build")!.Text("context"));
            Assert.Null(service.Map("build")!.Text("dockerfile")); // the one Dockerfile at the root
        }
    }

    [Fact]
    public void The_infrastructure_is_rabbitmq_with_management_postgres_and_jaeger_with_otlp_under_the_names_infra_sh_starts()
    {
        Assert.All(Infrastructure, name => Assert.True(_compose.Services.ContainsKey(name), $"no compose service {name}"));
        // deploy/infra.sh starts exactly these by name when a Docker engine answers.
        Assert.Contains("docker compose up -d --wait rabbitmq postgres jaeger", Repository.Read("deploy", "infra.sh"));
        Assert.Contains("management", _compose.Services["rabbitmq"].Text("image"));
        Assert.StartsWith("postgres:", _compose.Services["postgres"].Text("image"));
        Assert.Equal("true", ComposeFile.Environment(_compose.Services["jaeger"])["COLLECTOR_OTLP_ENABLED"]);
        Assert.True(ComposeFile.HasHealthCheck(_compose.Services["rabbitmq"]));
        Assert.True(ComposeFile.HasHealthCheck(_compose.Services["postgres"]));
    }

    [Fact]
    public void Every_service_is_health_checked_and_waits_for_the_migration_job_and_healthy_infrastructure()
    {
        foreach (var project in ServiceProject.HttpServices)
        foreach (var name in _compose.BuiltFrom(project))
        {
            var service = _compose.Services[name];
            Assert.True(ComposeFile.HasHealthCheck(service), $"{name} has no health check");
            Assert.Contains("/app/healthcheck.sh", service.Map("healthcheck")!.List("test")!.Cast<string>());
            var dependsOn = ComposeFile.DependsOn(service);
            Assert.Equal("service_completed_successfully", dependsOn.GetValueOrDefault("migrate"));
            Assert.Equal("service_healthy", dependsOn.GetValueOrDefault("rabbitmq"));
            Assert.Equal("service_healthy", dependsOn.GetValueOrDefault("postgres"));
            Assert.Equal("false", ComposeFile.Environment(service).GetValueOrDefault("Database__MigrateOnStartup"));
            Assert.Equal("true", ComposeFile.Environment(service).GetValueOrDefault("Database__WaitForMigrations"));
        }
    }

    [Fact]
    public void Every_depends_on_names_a_condition_the_other_service_can_meet()
    {
        foreach (var (name, service) in _compose.Services)
        foreach (var (other, condition) in ComposeFile.DependsOn(service))
        {
            Assert.True(_compose.Services.TryGetValue(other, out var target), $"{name} depends on {other}, which is no compose service");
            switch (condition)
            {
                case "service_healthy":
                    Assert.True(ComposeFile.HasHealthCheck(target!), $"{name} waits for {other} to be healthy, but {other} has no health check");
                    break;
                case "service_completed_successfully":
                    Assert.Equal("no", target!.Text("restart"));
                    Assert.NotNull(target.List("command"));
                    break;
                case "service_started":
                    break;
                default:
                    Assert.Fail($"{name} depends on {other} with condition '{condition ?? "(none)"}'");
                    break;
            }
        }
    }

    [Fact]
    public void The_migration_job_runs_mlops_migrate_once_and_the_demo_sits_behind_a_profile()
    {
        var migrate = _compose.Services["migrate"];
        Assert.Equal(ServiceProject.Cli.Name, ComposeFile.BuildArgument(migrate));
        Assert.Equal(["migrate"], migrate.List("command")!.Cast<string>());
        Assert.Equal("service_healthy", ComposeFile.DependsOn(migrate)["postgres"]);
        // The job the services wait for must not wait for its own migrations.
        Assert.Equal("false", ComposeFile.Environment(migrate)["Database__WaitForMigrations"]);
        Assert.Equal("false", ComposeFile.Environment(_compose.Services["demo"])["Database__WaitForMigrations"]);

        var demo = _compose.Services["demo"];
        Assert.Equal(ServiceProject.Cli.Name, ComposeFile.BuildArgument(demo));
        Assert.Equal("demo", demo.List("command")![0]);
        Assert.Equal(["demo"], demo.List("profiles")!.Cast<string>());
        Assert.All(_compose.Services.Where(s => s.Key != "demo"), s => Assert.Null(s.Value.List("profiles")));
    }

    [Fact]
    public void Every_environment_key_is_a_setting_the_service_reads()
    {
        var problems = new List<string>();
        foreach (var (name, service) in _compose.Services)
        {
            if (ComposeFile.BuildArgument(service) is not { } projectName)
                continue;
            var project = ServiceProject.Named(projectName);
            foreach (var key in ComposeFile.Environment(service).Keys)
                if (ConfigurationKeys.Problem(project, key) is { } problem)
                    problems.Add($"{name}: {key}: {problem}");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Published_ports_reach_the_port_the_image_listens_on()
    {
        foreach (var (name, service) in _compose.Services.Where(s => ComposeFile.BuildArgument(s.Value) is not null))
        foreach (var port in service.List("ports")?.Cast<string>() ?? [])
            Assert.EndsWith($":{Dockerfile.ContainerPort}", port);
        Assert.NotNull(_compose.Services["api"].List("ports"));
        Assert.NotNull(_compose.Services["serving"].List("ports"));
    }
    [Fact]
    public void Every_service_connects_as_its_own_role_and_mounts_only_its_own_passwords()
    {
        var problems = new List<string>();
        foreach (var (name, service) in _compose.Services)
        {
            if (ComposeFile.BuildArgument(service) is not { } projectName)
                continue;
            var project = ServiceProject.Named(projectName);
            var environment = ComposeFile.Environment(service);
            var role = ServiceIdentity.RoleOf(project);

            problems.AddRange(ServiceIdentity.Problems(project, environment, name));

            var mounts = ComposeFile.VolumeMounts(service, SecretsVolume).ToList();
            if (mounts is not [var mount])
            {
                problems.Add($"{name} mounts {mounts.Count} directories of {SecretsVolume}, not exactly its own");
                continue;
            }
            if (mount.Map("volume")?.Text("subpath") != role)
                problems.Add($"{name} mounts {SecretsVolume}/{mount.Map("volume")?.Text("subpath") ?? "(all of it)"}, not {SecretsVolume}/{role}");
            if (mount.Text("target") != $"{environment.GetValueOrDefault("Secrets__Directory")}/{role}")
                problems.Add($"{name} mounts its passwords at {mount.Text("target")}, where Secrets:Directory/{role} does not look");
            if (mount.Text("read_only") != "true")
                problems.Add($"{name} may write its passwords");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void The_roles_and_users_of_every_service_are_made_before_the_migration_job_runs_as_the_owner()
    {
        var identities = _compose.Services["identities"];
        var script = string.Join(" ", identities.List("command")!.Cast<string>());
        Assert.Contains("/deploy/identities.sh roles-sql /secrets", script);
        Assert.Contains("/deploy/identities.sh rabbitmq-users /secrets http://rabbitmq:15672 /", script);
        Assert.Equal("service_completed_successfully", ComposeFile.DependsOn(_compose.Services["migrate"]).GetValueOrDefault("identities"));
        Assert.Equal("service_completed_successfully", ComposeFile.DependsOn(_compose.Services["postgres"]).GetValueOrDefault("secrets"));
        Assert.Contains("/deploy/identities.sh secrets /secrets", string.Join(" ", _compose.Services["secrets"].List("command")!.Cast<string>()));

        // The admin's password is a generated file too, mounted into the postgres container alone.
        var postgres = _compose.Services["postgres"];
        var admin = Assert.Single(ComposeFile.VolumeMounts(postgres, SecretsVolume));
        Assert.Equal("mlops", admin.Map("volume")!.Text("subpath"));
        Assert.StartsWith(admin.Text("target") + "/", ComposeFile.Environment(postgres)["POSTGRES_PASSWORD_FILE"]);
        Assert.DoesNotContain("POSTGRES_PASSWORD", ComposeFile.Environment(postgres).Keys);
        Assert.DoesNotContain("POSTGRES_HOST_AUTH_METHOD", ComposeFile.Environment(postgres).Keys);

        var brokerLines = File.ReadAllLines(Repository.Path("deploy", "rabbitmq-permissions.txt"))
            .Where(line => line.Length > 0 && !line.StartsWith('#')).Select(line => line.Split(' ', 2)[0]).ToHashSet();
        foreach (var project in ServiceProject.HttpServices)
        {
            var service = ServiceIdentity.RoleOf(project)["mlops_".Length..];
            Assert.True(ServiceIdentity.ScriptedServices.Contains(service), $"deploy/identities.sh makes no role for {project} ({service}): add it to SERVICES");
            Assert.True(brokerLines.Contains(service), $"deploy/rabbitmq-permissions.txt has no line for {project} ({service})");
        }
    }

    private const string SecretsVolume = "mlops-secrets";
}
