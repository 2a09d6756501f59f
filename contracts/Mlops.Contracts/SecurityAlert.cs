namespace Mlops.Contracts;

/// <summary>One principal was refused too often within a short window: someone may be probing what they can do.</summary>
public record SecurityAlert
{
    public Guid AlertId { get; init; }

    /// <summary>The principal refused.</summary>
    public string Principal { get; init; } = "";

    /// <summary>Refusals counted within the window, this one included.</summary>
    public int Refusals { get; init; }

    public int WindowSeconds { get; init; }

    /// <summary>The permission the last refused request lacked, and what it was for.</summary>
    public string Permission { get; init; } = "";

    public string Resource { get; init; } = "";

    /// <summary>The trace of the last refused request.</summary>
    public string? TraceId { get; init; }

    public DateTimeOffset RaisedAt { get; init; }
}
