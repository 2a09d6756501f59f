using System.Text.Json;
using Mlops.Testing;
using Xunit;

namespace Mlops.Deployment.Tests;

/// <summary>
/// deploy/k8s, every overlay rendered by kustomize, against the services: a Deployment for each, probing the health endpoints a
/// real host answers, on the port the image listens on, with requests and limits; configuration keys the services read;
/// the migration Job, the Serving autoscaler, a disruption budget for every Deployment and quorum queues switched on.
/// </summary>
public sealed class When_the_stack_runs_on_kubernetes(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    public static TheoryData<string> Overlays => [.. KubernetesManifests.Overlays];

    private static readonly ComposeFile Compose = new();

    [Theory, MemberData(nameof(Overlays))]
    public void Every_service_project_has_a_deployment_of_the_image_compose_builds_for_it(string overlay)
    {
        var deployments = KubernetesManifests.Render(overlay).OfKind("Deployment").ToList();
        var missing = ServiceProject.HttpServices.Where(project => !deployments.Any(d => ImageOf(d) == ImageFor(project))).ToList();
        Assert.True(missing.Count == 0,
            $"overlays/{overlay} runs no Deployment of {string.Join(", ", missing)}: add deploy/k8s/base/services/<name>.yaml (see deploy/k8s/base/kustomization.yaml)");
        Assert.All(deployments, d => Assert.NotNull(ProjectOf(d)));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_deployment_probes_the_health_endpoints_on_the_port_the_image_listens_on_within_requests_and_limits(string overlay)
    {
        foreach (var deployment in KubernetesManifests.Render(overlay).OfKind("Deployment"))
        {
            var container = Container(deployment);
            var port = container.List("ports")!.Cast<Dictionary<object, object>>().Single();
            Assert.Equal(Dockerfile.ContainerPort.ToString(), port.Text("containerPort"));
            Assert.Equal("http", port.Text("name"));
            AssertProbe(container, "readinessProbe", "/health/ready");
            AssertProbe(container, "livenessProbe", "/health/live");
            foreach (var bound in new[] { "requests", "limits" })
            foreach (var resource in new[] { "cpu", "memory" })
                Assert.False(string.IsNullOrEmpty(container.Map("resources")?.Map(bound)?.Text(resource)), $"{deployment.Name()} sets no {bound}.{resource}");
            Assert.Equal("true", deployment.At("spec", "template", "spec", "securityContext")!.Text("runAsNonRoot"));
        }
    }

    [Fact]
    public async Task The_probed_paths_answer_200_on_a_real_service()
    {
        var paths = KubernetesManifests.Overlays.SelectMany(KubernetesManifests.Render).OfKind("Deployment").Select(Container)
            .SelectMany(c => new[] { "startupProbe", "readinessProbe", "livenessProbe" }.Select(p => c.Map(p)?.Map("httpGet")?.Text("path")))
            .OfType<string>().Distinct().ToList();
        Assert.Contains("/health/ready", paths);

        var (host, address) = await RealService.StartAsync(environment);
        try
        {
            using var http = new HttpClient { BaseAddress = address };
            foreach (var path in paths)
                await Eventually.WaitAsync(async () => (int)(await http.GetAsync(path)).StatusCode, status => status == 200, $"{path} to answer 200");
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_environment_key_a_pod_gets_is_a_setting_its_service_reads(string overlay)
    {
        var documents = KubernetesManifests.Render(overlay);
        var problems = new List<string>();
        foreach (var workload in documents.OfKind("Deployment").Concat(documents.OfKind("Job")))
        {
            var project = ProjectOf(workload)!;
            foreach (var key in EnvironmentKeys(documents, workload))
                if (ConfigurationKeys.Problem(project, key) is { } problem)
                    problems.Add($"{workload.Text("kind")} {workload.Name()}: {key}: {problem}");
            foreach (var key in MountedSettings(documents, workload))
                if (ConfigurationKeys.Problem(project, key) is { } problem)
                    problems.Add($"{workload.Text("kind")} {workload.Name()} (mounted appsettings): {problem}");
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void The_config_switches_quorum_queues_on_and_leaves_migrations_to_the_job(string overlay)
    {
        var documents = KubernetesManifests.Render(overlay);
        var config = documents.OfKind("ConfigMap").Single(c => c.Name().StartsWith("mlops-config", StringComparison.Ordinal)).Map("data")!;
        Assert.Equal("true", config.Text("Messaging__RabbitMq__QuorumQueues"));
        Assert.Equal("false", config.Text("Database__MigrateOnStartup"));
        Assert.Equal("true", config.Text("Database__WaitForMigrations"));

        var job = documents.OfKind("Job").Single();
        Assert.Equal(ImageFor(ServiceProject.Cli), ImageOf(job));
        Assert.Equal(["migrate"], Container(job).List("args")!.Cast<string>());
        // The Job is what the services wait for: its own env (which wins over envFrom) must not make it wait for itself.
        Assert.Contains(Container(job).List("env")!.Cast<Dictionary<object, object>>(),
            variable => variable.Text("name") == "Database__WaitForMigrations" && variable.Text("value") == "false");
        Assert.Contains(job.At("spec", "template", "spec")!.Text("restartPolicy"), new[] { "OnFailure", "Never" });
        Assert.Equal(EnvFrom(Container(job)), EnvFrom(Container(documents.OfKind("Deployment").First())));

        // Credentials: a generated Secret, and no Secret written out in the base.
        Assert.Single(documents.OfKind("Secret"), s => s.Name().StartsWith("mlops-secrets-", StringComparison.Ordinal));
        Assert.DoesNotContain("kind: Secret", string.Concat(Directory.EnumerateFiles(Repository.Path("deploy", "k8s", "base"), "*.yaml", SearchOption.AllDirectories).Select(File.ReadAllText)));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Serving_autoscales_and_every_deployment_has_a_disruption_budget_that_selects_its_pods(string overlay)
    {
        var documents = KubernetesManifests.Render(overlay);
        var deployments = documents.OfKind("Deployment").ToList();

        var autoscaler = documents.OfKind("HorizontalPodAutoscaler").Single();
        var target = autoscaler.At("spec", "scaleTargetRef")!;
        Assert.Equal("Deployment", target.Text("kind"));
        Assert.Equal(ImageFor(ServiceProject.Named("Mlops.Serving")), ImageOf(deployments.Single(d => d.Name() == target.Text("name"))));
        Assert.True(int.Parse(autoscaler.At("spec")!.Text("minReplicas")!) <= int.Parse(autoscaler.At("spec")!.Text("maxReplicas")!));

        var budgets = documents.OfKind("PodDisruptionBudget").ToList();
        foreach (var deployment in deployments)
        {
            var podLabels = deployment.At("spec", "template", "metadata", "labels")!;
            Assert.True(budgets.Count(b => Selects(b.At("spec", "selector", "matchLabels")!, podLabels)) == 1,
                $"overlays/{overlay}: Deployment {deployment.Name()} has no PodDisruptionBudget (or more than one)");
        }
        foreach (var service in documents.OfKind("Service"))
        {
            var selected = deployments.Single(d => Selects(service.At("spec", "selector")!, d.At("spec", "template", "metadata", "labels")!));
            Assert.All(service.At("spec")!.List("ports")!.Cast<Dictionary<object, object>>(), p =>
                Assert.Contains(Container(selected).List("ports")!.Cast<Dictionary<object, object>>(), c => c.Text("name") == p.Text("targetPort") || c.Text("containerPort") == p.Text("targetPort")));
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_pod_connects_as_its_own_role_with_only_its_own_secret_mounted(string overlay)
    {
        var documents = KubernetesManifests.Render(overlay);
        var problems = new List<string>();
        foreach (var workload in documents.OfKind("Deployment").Concat(documents.OfKind("Job")))
        {
            var project = ProjectOf(workload)!;
            var role = ServiceIdentity.RoleOf(project);
            var what = $"{workload.Text("kind")} {workload.Name()}";
            var environment = EnvironmentValues(documents, workload);

            problems.AddRange(ServiceIdentity.Problems(project, environment, what));

            var volumes = workload.At("spec", "template", "spec")!.List("volumes")!.Cast<Dictionary<object, object>>().ToList();
            var secretMounts = Container(workload).List("volumeMounts")!.Cast<Dictionary<object, object>>()
                .Select(mount => (Mount: mount, Secret: volumes.Single(v => v.Text("name") == mount.Text("name")).Map("secret")?.Text("secretName")))
                .Where(m => m.Secret is not null).ToList();
            if (secretMounts is not [var (mount, secretName)])
            {
                problems.Add($"{what} mounts {secretMounts.Count} Secrets, not exactly its own");
                continue;
            }
            if (mount.Text("mountPath") != $"{environment.GetValueOrDefault("Secrets__Directory")}/{role}")
                problems.Add($"{what} mounts its passwords at {mount.Text("mountPath")}, where Secrets:Directory/{role} does not look");
            if (mount.Text("readOnly") != "true")
                problems.Add($"{what} mounts its Secret writable");
            var secret = documents.OfKind("Secret").SingleOrDefault(s => s.Name() == secretName);
            var keys = secret?.Map("data")?.Keys.Cast<string>().ToHashSet() ?? [];
            var needed = project.IsHttpService ? ServiceIdentity.PasswordKeys : ["Database__Password"];
            if (!secret?.Name().StartsWith(role.Replace('_', '-') + "-", StringComparison.Ordinal) ?? true)
                problems.Add($"{what} mounts the Secret {secretName}, not {role.Replace('_', '-')}");
            problems.AddRange(needed.Where(key => !keys.Contains(key)).Select(key => $"{what}: its Secret {secretName} has no {key}"));
        }
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static void AssertProbe(Dictionary<object, object> container, string probe, string path)
    {
        var get = container.Map(probe)?.Map("httpGet");
        Assert.True(get is not null, $"{container.Text("name")} has no {probe} over HTTP");
        Assert.Equal(path, get!.Text("path"));
        Assert.Contains(get.Text("port"), new[] { "http", Dockerfile.ContainerPort.ToString() });
    }

    private static bool Selects(Dictionary<object, object> selector, Dictionary<object, object> labels) =>
        selector.All(pair => labels.TryGetValue(pair.Key, out var value) && Equals(value, pair.Value));

    private static Dictionary<object, object> Container(Dictionary<object, object> workload) =>
        (Dictionary<object, object>)workload.At("spec", "template", "spec")!.List("containers")!.Single();

    private static string? ImageOf(Dictionary<object, object> workload) => Container(workload).Text("image")?.Split(':')[0];

    private static string? ImageFor(ServiceProject project) =>
        Compose.BuiltFrom(project).Select(name => Compose.Services[name].Text("image")).FirstOrDefault();

    private static ServiceProject? ProjectOf(Dictionary<object, object> workload) =>
        ServiceProject.All.FirstOrDefault(project => ImageFor(project) == ImageOf(workload));

    private static string EnvFrom(Dictionary<object, object> container) =>
        string.Join(",", container.List("envFrom")!.Cast<Dictionary<object, object>>().Select(e =>
            (e.Map("configMapRef") ?? e.Map("secretRef"))!.Text("name")));

    /// <summary>Every key the container's environment gets: its env entries and the keys of the ConfigMaps and Secrets it takes whole.</summary>
    private static IEnumerable<string> EnvironmentKeys(IReadOnlyList<Dictionary<object, object>> documents, Dictionary<object, object> workload)
    {
        var container = Container(workload);
        foreach (var variable in container.List("env")?.Cast<Dictionary<object, object>>() ?? [])
            yield return variable.Text("name")!;
        foreach (var source in container.List("envFrom")!.Cast<Dictionary<object, object>>())
        {
            var (kind, name) = source.Map("configMapRef") is { } configMap ? ("ConfigMap", configMap.Text("name")) : ("Secret", source.Map("secretRef")!.Text("name"));
            var resource = documents.OfKind(kind).SingleOrDefault(r => r.Name() == name);
            Assert.True(resource is not null, $"{workload.Name()} takes its environment from {kind} {name}, which the overlay does not have");
            foreach (var key in resource!.Map("data")!.Keys.Cast<string>())
                yield return key;
        }
    }

    /// <summary>The container's environment with values: its env entries over the ConfigMaps and Secrets (decoded) it takes whole.</summary>
    private static Dictionary<string, string> EnvironmentValues(IReadOnlyList<Dictionary<object, object>> documents, Dictionary<object, object> workload)
    {
        var values = new Dictionary<string, string>();
        var container = Container(workload);
        foreach (var source in container.List("envFrom")!.Cast<Dictionary<object, object>>())
        {
            var (kind, name) = source.Map("configMapRef") is { } configMap ? ("ConfigMap", configMap.Text("name")) : ("Secret", source.Map("secretRef")!.Text("name"));
            foreach (var (key, value) in documents.OfKind(kind).Single(r => r.Name() == name).Map("data")!)
                values[(string)key] = kind == "Secret" ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)value)) : (string)value;
        }
        foreach (var variable in container.List("env")?.Cast<Dictionary<object, object>>() ?? [])
            values[variable.Text("name")!] = variable.Text("value") ?? "";
        return values;
    }

    /// <summary>Settings files mounted from ConfigMaps into the container (the orchestrator's pipeline), as configuration paths.</summary>
    private static IEnumerable<string> MountedSettings(IReadOnlyList<Dictionary<object, object>> documents, Dictionary<object, object> workload)
    {
        var volumes = workload.At("spec", "template", "spec")!.List("volumes")?.Cast<Dictionary<object, object>>() ?? [];
        foreach (var mount in Container(workload).List("volumeMounts")?.Cast<Dictionary<object, object>>() ?? [])
        {
            if (mount.Text("subPath") is not { } file || !file.StartsWith("appsettings", StringComparison.Ordinal))
                continue;
            var configMap = volumes.Single(v => v.Text("name") == mount.Text("name")).Map("configMap")!.Text("name");
            var json = documents.OfKind("ConfigMap").Single(c => c.Name() == configMap).Map("data")!.Text(file)!;
            Assert.Equal($"/app/{file}", mount.Text("mountPath"));
            foreach (var path in Leaves(JsonDocument.Parse(json).RootElement, ""))
                yield return path;
        }
    }

    private static IEnumerable<string> Leaves(JsonElement element, string prefix) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Leaves(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}:{p.Name}")),
        JsonValueKind.Array => element.EnumerateArray().SelectMany((e, i) => Leaves(e, $"{prefix}:{i}")),
        _ => [prefix],
    };
}
