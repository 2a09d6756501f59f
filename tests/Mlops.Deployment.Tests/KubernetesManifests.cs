using System.Diagnostics;

namespace Mlops.Deployment.Tests;

/// <summary>
/// deploy/k8s rendered the way `kubectl apply -k` renders it (kubectl's built-in kustomize), one overlay at a time. The
/// staging and prod overlays read their settings from a secrets.env, and every overlay the principals' passwords from files
/// under secrets/, none of them in the repository: the tree is copied aside, each secrets.env.example stands in for its
/// secrets.env (which also proves the example names every key) and deploy/identities.sh generates the passwords, as an
/// operator does (which also proves it makes every file the overlays' Secrets need).
/// </summary>
public static class KubernetesManifests
{
    public static readonly string[] Overlays = ["dev", "staging", "prod"];

    private static readonly Dictionary<string, IReadOnlyList<Dictionary<object, object>>> Rendered = [];

    public static IReadOnlyList<Dictionary<object, object>> Render(string overlay)
    {
        lock (Rendered)
        {
            if (!Rendered.TryGetValue(overlay, out var documents))
                Rendered[overlay] = documents = Yaml.Documents(Kustomize(overlay));
            return documents;
        }
    }

    public static IEnumerable<Dictionary<object, object>> OfKind(this IEnumerable<Dictionary<object, object>> documents, string kind) =>
        documents.Where(d => d.Text("kind") == kind);

    public static string Name(this Dictionary<object, object> resource) => resource.Map("metadata")!.Text("name")!;

    private static string Kustomize(string overlay)
    {
        var copy = Directory.CreateTempSubdirectory("mlops-k8s-").FullName;
        try
        {
            CopyTree(Repository.Path("deploy", "k8s"), copy);
            foreach (var example in Directory.EnumerateFiles(copy, "secrets.env.example", SearchOption.AllDirectories))
                File.Copy(example, Path.Combine(Path.GetDirectoryName(example)!, "secrets.env"), overwrite: true);
            Run("bash", [Repository.Path("deploy", "identities.sh"), "secrets", Path.Combine(copy, "overlays", overlay, "secrets")]);
            return Run("kubectl", ["kustomize", Path.Combine(copy, "overlays", overlay)]);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static string Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception exception) when (program == "kubectl")
        {
            throw new InvalidOperationException("kubectl is not on PATH: the Kubernetes manifests are rendered with `kubectl kustomize` (any kubectl from 1.27 on).", exception);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {error}");
            return output.Result;
        }
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
