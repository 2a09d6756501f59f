using System.Reflection;
using System.Xml.Linq;

namespace Mlops.Deployment.Tests;

/// <summary>
/// A project under services/ that runs as a process: an HTTP service (Web SDK, with /health endpoints) or the CLI. Found on
/// disk, not listed by hand, so a service added later fails the deployment tests by name until compose and Kubernetes know it.
/// </summary>
public sealed record ServiceProject(string Name, string Directory, string AssemblyName, bool IsHttpService)
{
    public static IReadOnlyList<ServiceProject> All { get; } = Discover();

    public static IReadOnlyList<ServiceProject> HttpServices => [.. All.Where(p => p.IsHttpService)];

    public static ServiceProject Cli => All.Single(p => p.AssemblyName == "mlops");

    public static ServiceProject Named(string name) =>
        All.SingleOrDefault(p => p.Name == name) ?? throw new KeyNotFoundException($"No service project {name} under services/.");

    /// <summary>The service's appsettings.json, or null when it has none.</summary>
    public string? AppSettings => File.Exists(System.IO.Path.Combine(Directory, "appsettings.json"))
        ? File.ReadAllText(System.IO.Path.Combine(Directory, "appsettings.json"))
        : null;

    /// <summary>The service's compiled assembly when this test project references it (it references every service there was).</summary>
    public Assembly? Assembly
    {
        get
        {
            try
            {
                return System.Reflection.Assembly.Load(AssemblyName);
            }
            catch (FileNotFoundException)
            {
                return null;
            }
        }
    }

    private static List<ServiceProject> Discover()
    {
        var projects = new List<ServiceProject>();
        foreach (var directory in System.IO.Directory.GetDirectories(Repository.Path("services")).Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(directory);
            var file = System.IO.Path.Combine(directory, name + ".csproj");
            if (!File.Exists(file))
                continue;
            var project = XDocument.Load(file).Root!;
            var web = (string?)project.Attribute("Sdk") == "Microsoft.NET.Sdk.Web";
            var exe = project.Descendants("OutputType").Any(e => e.Value == "Exe");
            if (web || exe)
                projects.Add(new ServiceProject(name, directory, project.Descendants("AssemblyName").FirstOrDefault()?.Value ?? name, web));
        }
        return projects;
    }

    public override string ToString() => Name;
}
