namespace Mlops.Deployment.Tests;

/// <summary>docker-compose.yml at the repository root, read as docker compose reads it (anchors and merge keys applied).</summary>
public sealed class ComposeFile
{
    public ComposeFile() => Services = Yaml.Document(Repository.Read("docker-compose.yml")).Map("services")
        ?.ToDictionary(entry => (string)entry.Key, entry => (Dictionary<object, object>)entry.Value) ?? [];

    public IReadOnlyDictionary<string, Dictionary<object, object>> Services { get; }

    /// <summary>The compose services built from the Dockerfile for <paramref name="project"/> (its SERVICE build argument).</summary>
    public IReadOnlyList<string> BuiltFrom(ServiceProject project) =>
        [.. Services.Where(s => BuildArgument(s.Value) == project.Name).Select(s => s.Key)];

    public static string? BuildArgument(Dictionary<object, object> service) => service.Map("build")?.Map("args")?.Text("SERVICE");

    /// <summary>The service's environment, whichever form it takes (a map, or a list of KEY=VALUE).</summary>
    public static IReadOnlyDictionary<string, string> Environment(Dictionary<object, object> service) =>
        service.TryGetValue("environment", out var environment) ? environment switch
        {
            Dictionary<object, object> map => map.ToDictionary(e => (string)e.Key, e => e.Value as string ?? ""),
            List<object> list => list.Cast<string>().Select(line => line.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
            _ => new Dictionary<string, string>(),
        } : new Dictionary<string, string>();

    /// <summary>depends_on as service → condition (the short list form has no conditions: null).</summary>
    public static IReadOnlyDictionary<string, string?> DependsOn(Dictionary<object, object> service) =>
        service.TryGetValue("depends_on", out var dependsOn) ? dependsOn switch
        {
            Dictionary<object, object> map => map.ToDictionary(e => (string)e.Key, e => (e.Value as Dictionary<object, object>)?.Text("condition")),
            List<object> list => list.Cast<string>().ToDictionary(name => name, _ => (string?)null),
            _ => new Dictionary<string, string?>(),
        } : new Dictionary<string, string?>();

    /// <summary>The service's mounts of a named volume (long syntax), e.g. its directory of the secrets volume.</summary>
    public static IEnumerable<Dictionary<object, object>> VolumeMounts(Dictionary<object, object> service, string volume) =>
        (service.List("volumes") ?? []).OfType<Dictionary<object, object>>().Where(m => m.Text("type") == "volume" && m.Text("source") == volume);

    public static bool HasHealthCheck(Dictionary<object, object> service) =>
        service.Map("healthcheck") is { } check && check.Text("disable") != "true" && check.List("test") is { Count: > 0 };
}
