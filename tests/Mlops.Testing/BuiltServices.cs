namespace Mlops.Testing;

/// <summary>Where the repository is and where its services were built, for tests that run them as processes.</summary>
public static class BuiltServices
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Release or Debug: the services are run from the same configuration as the test assembly was built in.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release";

    /// <summary>A service's build output: <c>services/Mlops.&lt;service&gt;/bin/&lt;configuration&gt;/net10.0</c>.</summary>
    public static string Directory(string service) =>
        Path.Combine(RepositoryRoot, "services", $"Mlops.{service}", "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.sln")))
                return directory.FullName;
        throw new InvalidOperationException($"No Mlops.sln above {AppContext.BaseDirectory}");
    }
}
