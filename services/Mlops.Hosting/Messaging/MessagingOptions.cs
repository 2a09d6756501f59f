using System.ComponentModel.DataAnnotations;

namespace Mlops.Hosting.Messaging;

public enum MessagingTransport
{
    RabbitMq,
    InMemory,
}

public sealed class MessagingOptions
{
    public const string Section = "Messaging";

    public MessagingTransport Transport { get; set; } = MessagingTransport.RabbitMq;

    /// <summary>Names this service's rows in the shared outbox; defaults to the application name.</summary>
    public string? ServiceName { get; set; }

    [Required]
    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>Messages RabbitMQ hands each endpoint ahead of acknowledgement.</summary>
    [Range(1, 10_000)]
    public ushort PrefetchCount { get; set; } = 32;

    /// <summary>Messages an endpoint consumes at once; unset lets MassTransit use the prefetch count.</summary>
    [Range(1, 10_000)]
    public int? ConcurrentMessageLimit { get; set; }

    [Required]
    public RetryOptions Retry { get; set; } = new();

    [Required]
    public OutboxOptions Outbox { get; set; } = new();

    [Required]
    public RedeliveryOptions Redelivery { get; set; } = new();
}

public sealed class RabbitMqOptions
{
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public ushort Port { get; set; } = 5672;

    [Required]
    public string VirtualHost { get; set; } = "/";

    [Required]
    public string Username { get; set; } = "guest";

    [Required]
    public string Password { get; set; } = "guest";

    /// <summary>The management API, used by tooling and tests (queue depths, virtual hosts).</summary>
    [Range(1, 65535)]
    public ushort ManagementPort { get; set; } = 15672;

    /// <summary>
    /// Declare every receive endpoint's queue as a quorum queue (replicated across a RabbitMQ cluster, as in Kubernetes)
    /// instead of a classic one. A queue's type is fixed when it is declared: switching an existing broker means deleting
    /// the services' queues (or starting on a fresh virtual host) first, or the declaration fails with PRECONDITION_FAILED.
    /// </summary>
    public bool QuorumQueues { get; set; }
}

public sealed class RetryOptions
{
    /// <summary>Immediate attempts after the first, before delayed redelivery (see <see cref="RedeliveryOptions"/>) takes over.</summary>
    [Range(0, 100)]
    public int Limit { get; set; } = 3;

    public TimeSpan Initial { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan Increment { get; set; } = TimeSpan.FromMilliseconds(200);
}

public sealed class OutboxOptions
{
    /// <summary>How often the dispatcher looks for rows nobody told it about (after a crash, or deadlines falling due).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether this process sends its outbox rows. Off for a process that only writes rows and leaves their delivery
    /// to another instance of the same service.
    /// </summary>
    public bool DispatcherEnabled { get; set; } = true;

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How many claimed batches may await the broker's confirms at once: the next batch is claimed (skipping the rows the
    /// others hold locked) while the previous ones' confirms come back. 1 sends a batch at a time.
    /// </summary>
    [Range(1, 64)]
    public int MaxBatchesInFlight { get; set; } = 4;

    /// <summary>How long one send may wait for the broker's confirm before it counts as failed.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first pause after a transient failure (broker or database unreachable); it doubles up to <see cref="RetryMax"/>.</summary>
    public TimeSpan RetryInitial { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest pause between attempts while the broker is unreachable. There is no give-up: rows wait, never park.</summary>
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A body larger than this is parked instead of sent: RabbitMQ refuses messages above its max_message_size (128 MiB by default).</summary>
    [Range(1, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 128 * 1024 * 1024;
}
