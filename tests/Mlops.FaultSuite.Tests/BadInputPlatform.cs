using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Mlops.FaultSuite.Tests;

/// <summary>
/// The platform the bad-input catalogue is thrown at: the pipeline (to make a champion), Serving and Monitoring. It keeps
/// each case's outcome and writes the scenario's figures once every case has run.
/// </summary>
public sealed class BadInputPlatform : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, string?> _outcomes = new();
    private readonly ConcurrentBag<TimeSpan> _recoveries = [];
    private long _lost;
    private long _duplicated;

    private Platform? _platform;

    public Platform Platform => _platform ?? throw new InvalidOperationException("The bad-input platform did not start.");

    public HttpClient Serving { get; private set; } = null!;

    /// <summary>The case after which Serving's inference log stopped writing, if one did.</summary>
    public string? LogStuckSince { get; set; }

    public async Task InitializeAsync()
    {
        if (!SuiteInfrastructure.Enabled)
            return;
        _platform = await Platform.StartAsync("badinput", [.. Platform.Pipeline, "Serving", "Monitoring"]);
        var first = await Platform.LandDataAndWaitAsync();
        if (first.State != "Completed")
            throw new InvalidOperationException($"No champion to serve: the first run ended {first}");
        Serving = await Platform.ServingClientAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Records one case: null when it behaved, else what went wrong; and how long until normal traffic went through.</summary>
    public void Record(string channel, string kind, string? failure, TimeSpan recovery)
    {
        _outcomes[$"{channel}: {kind}"] = failure;
        _recoveries.Add(recovery);
    }

    /// <summary>Normal traffic after a bad case that did not arrive, or arrived twice.</summary>
    public void Count(long lost, long duplicated)
    {
        Interlocked.Add(ref _lost, lost);
        Interlocked.Add(ref _duplicated, duplicated);
    }

    public async Task DisposeAsync()
    {
        // Skipped, or the platform never came up (InitializeAsync's exception already fails every case).
        if (!SuiteInfrastructure.Enabled || _platform is null)
            return;
        var report = new ScenarioReport("bad input", new NullOutput());
        report.Figure("kinds", _outcomes.Count);
        foreach (var channel in new[] { "http", "bus", "cli" })
            report.Figure($"kinds_{channel}", _outcomes.Keys.Count(k => k.StartsWith(channel + ":", StringComparison.Ordinal)));
        report.Figure("handled", _outcomes.Values.Count(v => v is null));
        report.Figure("lost", _lost);
        report.Figure("duplicated", _duplicated);
        report.Figure("redeliveries", await Platform.Broker.RedeliveredInVirtualHostAsync(Platform.VirtualHost));
        foreach (var recovery in _recoveries)
            report.Recovered(recovery);
        foreach (var (kind, failure) in _outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
            report.Expect(failure is null, $"{kind}: {failure}");
        try
        {
            await report.AssertAsync();
        }
        catch (Xunit.Sdk.XunitException)
        {
            // Each case already failed its own test; the report only records them.
        }
        Serving?.Dispose();
        await Platform.DisposeAsync();
    }

    public static TimeSpan Since(long started) => Stopwatch.GetElapsedTime(started);

    private sealed class NullOutput : ITestOutputHelper
    {
        public void WriteLine(string message) => Console.WriteLine(message);

        public void WriteLine(string format, params object[] args) => Console.WriteLine(format, args);
    }
}
