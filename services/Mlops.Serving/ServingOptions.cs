using System.ComponentModel.DataAnnotations;

namespace Mlops.Serving;

public sealed class ServingOptions
{
    public const string Section = "Serving";

    /// <summary>Models whose champion is loaded at start; others load on their first request.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most rows one request may carry.</summary>
    [Range(1, 1_000_000)]
    public int MaxRows { get; set; } = 10_000;

    /// <summary>Per model (by full name): canary share and shadow scoring of the challenger.</summary>
    public Dictionary<string, TrafficOptions> Traffic { get; set; } = new(StringComparer.Ordinal);

    [Required]
    public InferenceLogOptions InferenceLog { get; set; } = new();
}

public sealed class TrafficOptions
{
    /// <summary>Percent of requests (0–100) answered by the challenger alias instead of the champion.</summary>
    [Range(0, 100)]
    public double CanaryPercent { get; set; }

    /// <summary>Also score every request with the challenger and log it, without answering with it.</summary>
    public bool ShadowChallenger { get; set; }
}

public sealed class InferenceLogOptions
{
    /// <summary>Rows waiting to be written; when full, requests wait (back-pressure) rather than lose rows.</summary>
    [Range(1, 10_000_000)]
    public int Capacity { get; set; } = 50_000;

    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = 2_000;

    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
