using System.ComponentModel.DataAnnotations;

namespace Mlops.Serving;

public sealed class ServingOptions : IValidatableObject
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

    /// <summary>
    /// How often each instance re-reads the registry aliases of the models it serves, besides every alias-change message and
    /// every bus (re)connect: the bound on how long a missed message can leave it serving the wrong version.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // A request reserves room for all its rows (and their shadow rows) at once; one that can never fit would always get 503.
        if (InferenceLog.Capacity < 2 * MaxRows)
            yield return new ValidationResult($"Serving:InferenceLog:Capacity ({InferenceLog.Capacity}) must be at least twice Serving:MaxRows ({MaxRows}).");
        if (ReconcileInterval <= TimeSpan.Zero)
            yield return new ValidationResult("Serving:ReconcileInterval must be positive.");
        foreach (var problem in InferenceLog.Problems())
            yield return new ValidationResult(problem);
    }
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
    /// <summary>Rows accepted but not yet written; when full, a request waits up to <see cref="EnqueueTimeout"/>, then gets 503.</summary>
    [Range(1, 10_000_000)]
    public int Capacity { get; set; } = 50_000;

    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = 2_000;

    /// <summary>
    /// The longest a row waits in memory, from its answer, before its batch is written; a kill -9 loses what waits plus what
    /// is being committed (100 ms + one commit: within 200 ms, measured by the fault suite). Shorter costs more, smaller
    /// transactions under light load; under heavy load batches fill to <see cref="BatchSize"/> first anyway.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a request waits for room in a full log before it is answered 503 with Retry-After.</summary>
    public TimeSpan EnqueueTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>At shutdown, how long the writer keeps trying to write what is queued before it spills the rest to a file.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where rows that could not be written at shutdown are kept, replayed at the next start; relative to the content root.</summary>
    public string SpillDirectory { get; set; } = "inference-log-spill";

    /// <summary>Readiness is Degraded past this many queued rows (default: a tenth of the capacity).</summary>
    public int? DegradedQueueLength { get; set; }

    /// <summary>Readiness is Degraded when the oldest unwritten row is older than this.</summary>
    public TimeSpan DegradedLag { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Readiness is Unhealthy (the writer is stuck) when the oldest unwritten row is older than this.</summary>
    public TimeSpan UnhealthyLag { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest pause between two attempts to write a batch while the database is unavailable.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    internal IEnumerable<string> Problems()
    {
        if (FlushInterval <= TimeSpan.Zero)
            yield return "Serving:InferenceLog:FlushInterval must be positive.";
        if (EnqueueTimeout < TimeSpan.Zero || DrainTimeout < TimeSpan.Zero || MaxRetryDelay <= TimeSpan.Zero)
            yield return "Serving:InferenceLog:EnqueueTimeout, DrainTimeout and MaxRetryDelay must not be negative.";
        if (DegradedLag <= TimeSpan.Zero || UnhealthyLag < DegradedLag)
            yield return "Serving:InferenceLog:DegradedLag must be positive and UnhealthyLag at least DegradedLag.";
        if (string.IsNullOrWhiteSpace(SpillDirectory))
            yield return "Serving:InferenceLog:SpillDirectory must be set.";
    }
}
