using System.CommandLine;
using Mlops.DashboardScreenshots;

var apiUrl = new Option<string>("--api-url")
{
    Description = "The API serving the dashboard (MLOPS_API_URL)",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MLOPS_API_URL") is { Length: > 0 } url ? url : "http://127.0.0.1:5110",
};
apiUrl.Validators.Add(result =>
{
    if (!Uri.TryCreate(result.GetValueOrDefault<string>(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        result.AddError("--api-url must be an absolute http(s) URL");
});
var model = new Option<string?>("--model") { Description = "The model to show (default: the first, dev to prod, with a drift alert)" };
var output = new Option<DirectoryInfo>("--out") { Description = "Where the PNGs go", DefaultValueFactory = _ => new DirectoryInfo("artifacts/dashboard/demo") };
var chromium = new Option<FileInfo>("--chromium")
{
    Description = "The browser Playwright drives (MLOPS_CHROMIUM; Debian's chromium by default: Playwright cannot download its own here)",
    DefaultValueFactory = _ => new FileInfo(Environment.GetEnvironmentVariable("MLOPS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium"),
};
var root = new RootCommand("Signs in to the dashboard with MLOPS_TOKEN, checks that its pages show the demo's runs, model versions and drift "
                           + "alerts as the API reports them, and saves a screenshot of each page")
{
    apiUrl, model, output, chromium,
};
root.SetAction(async (parse, cancellationToken) =>
{
    // The token stays out of the command line, where other users of the machine could read it.
    if (Environment.GetEnvironmentVariable("MLOPS_TOKEN") is not { Length: > 0 } token)
    {
        Console.Error.WriteLine("dashboard screenshots: set MLOPS_TOKEN to a token that may read the demo's catalog and the audit trail.");
        return 2;
    }
    try
    {
        var api = new Uri(parse.GetValue(apiUrl)!);
        var content = await DemoContent.FindAsync(api, token, parse.GetValue(model), cancellationToken);
        Console.WriteLine($"dashboard screenshots of {content.Model.Name} ({content.Versions.Count} versions, {content.Runs.Count} runs, {content.DriftAlerts.Count} drift alerts)");
        await using var tour = await DashboardTour.StartAsync(api, token, parse.GetValue(chromium)!, parse.GetValue(output)!);
        foreach (var file in await tour.RunAsync(content))
            Console.WriteLine($"  {file}");
        return 0;
    }
    catch (TourFailedException exception)
    {
        Console.Error.WriteLine($"dashboard screenshots FAILED: {exception.Message}");
        return 1;
    }
});
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    Console.Error.WriteLine($"dashboard screenshots: {string.Join("; ", parsed.Errors.Select(error => error.Message))}");
    return 2;
}
return await parsed.InvokeAsync();
