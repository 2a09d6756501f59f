using System.ComponentModel.DataAnnotations;

namespace Mlops.Notifications.Delivery;

/// <summary>The <c>Webhooks:Delivery</c> section: how deliveries are sent and retried.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Webhooks:Delivery";

    /// <summary>The longest the dispatcher waits between two looks for due deliveries (new ones wake it at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a receiver has to answer one delivery.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait after the first failed attempt; it doubles with each attempt up to <see cref="RetryMax"/> (with up to 20% jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryInitial { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long after its first attempt a delivery that keeps failing transiently is retried before it is marked failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "30.00:00:00")]
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(25);

    /// <summary>How long a claimed delivery is held by one dispatcher; longer than <see cref="Timeout"/>, so a send never overlaps its own retry.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many subscriptions are sent to at once (one delivery each: the head of its sequence).</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 32;
}
