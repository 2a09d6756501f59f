namespace Mlops.Hosting.Retention;

/// <summary>Section "Retention": how often the rules run and how gently; each rule's period and batch size under its name.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Off for processes that must never delete (the CLI).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often every rule runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The pause between two batches of one rule, so retention never crowds out the service's own work.</summary>
    public TimeSpan PauseBetweenBatches { get; set; } = TimeSpan.FromMilliseconds(200);
}
