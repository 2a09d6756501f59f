using Microsoft.Extensions.Configuration;

namespace Mlops.Cli.Api;

/// <summary>
/// Where the API is and who the CLI is to it. Bound from the config file (MLOPS_CONFIG, else ~/.config/mlops/config.json:
/// <c>{"api_url": "...", "token": "..."}</c>) and then the environment (MLOPS_API_URL, MLOPS_TOKEN, MLOPS_TIMEOUT), the later winning.
/// A config file holding a token must be readable by its owner only, as ssh insists for private keys.
/// </summary>
public sealed class CliSettings
{
    public const string DefaultApiUrl = "http://127.0.0.1:5110";

    [ConfigurationKeyName("api_url")]
    public string ApiUrl { get; set; } = DefaultApiUrl;

    public string? Token { get; set; }

    /// <summary>How long one request may take (following a run is not limited by it).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    public string ConfigPath { get; private set; } = "";

    public Uri BaseAddress => new(ApiUrl.EndsWith('/') ? ApiUrl : ApiUrl + "/");

    public static CliSettings Load()
    {
        var path = ConfigFilePath(out var explicitPath);
        if (File.Exists(path))
            RefuseIfOthersCanRead(path);
        else if (explicitPath)
            throw new CliException($"MLOPS_CONFIG names {path}, which does not exist.");

        IConfiguration configuration;
        try
        {
            configuration = new ConfigurationBuilder()
                .AddJsonFile(path, optional: true, reloadOnChange: false)
                .AddEnvironmentVariables("MLOPS_")
                .Build();
        }
        catch (InvalidDataException exception)
        {
            throw new CliException($"the config file {path} is not valid JSON: {exception.InnerException?.Message ?? exception.Message}", exception);
        }

        var settings = new CliSettings { ConfigPath = path };
        try
        {
            configuration.Bind(settings);
        }
        catch (InvalidOperationException exception)
        {
            throw new CliException($"a setting in {path} or MLOPS_* is not valid: {exception.InnerException?.Message ?? exception.Message}", exception);
        }
        if (!Uri.TryCreate(settings.ApiUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new CliException($"the API URL '{settings.ApiUrl}' (MLOPS_API_URL or api_url in {path}) is not an http(s) URL.");
        if (settings.Timeout <= TimeSpan.Zero)
            throw new CliException($"the timeout (MLOPS_TIMEOUT or timeout in {path}) must be positive.");
        return settings;
    }

    /// <summary>The token, or a message saying where to put one.</summary>
    public string RequireToken() => string.IsNullOrWhiteSpace(Token)
        ? throw new CliException($"no API token: set MLOPS_TOKEN, or \"token\" in {ConfigPath} (chmod 600); an admin issues one with 'mlops tokens issue'.")
        : Token.Trim();

    private static string ConfigFilePath(out bool explicitPath)
    {
        var given = Environment.GetEnvironmentVariable("MLOPS_CONFIG");
        explicitPath = !string.IsNullOrEmpty(given);
        if (explicitPath)
            return Path.GetFullPath(given!);
        var home = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(home, "mlops", "config.json");
    }

    private static void RefuseIfOthersCanRead(string path)
    {
        if (OperatingSystem.IsWindows())
            return;
        const UnixFileMode shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        var mode = File.GetUnixFileMode(path);
        if ((mode & shared) != 0)
            throw new CliException($"the config file {path} is accessible by others (mode {Convert.ToString((int)mode, 8)}); it may hold a token: chmod 600 {path}");
    }
}
