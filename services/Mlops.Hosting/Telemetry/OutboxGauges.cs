using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mlops.Hosting.Health;
using Mlops.Hosting.Outbox;
using Npgsql;

namespace Mlops.Hosting.Telemetry;

/// <summary>
/// This service's outbox backlog, parked rows and unreplayed dead letters as observable gauges, read from the database when
/// metrics are collected (a scrape or an OTLP export), so every instance reports the truth of the table rather than what
/// it happened to count. One read serves all the gauges of one collection. The meter comes from the host's
/// <see cref="IMeterFactory"/>, so the gauges go away with the host.
/// </summary>
public sealed partial class OutboxGauges : IHostedService
{
    private static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(1);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<OutboxGauges> _logger;
    private readonly KeyValuePair<string, object?> _producer;
    private readonly Lock _lock = new();
    private MessagingFigures? _figures;
    private long _readAt;

    public OutboxGauges(IMeterFactory meters, NpgsqlDataSource dataSource, ProducerName producer, ILogger<OutboxGauges> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
        _producer = new(MlopsTelemetry.ProducerTag, producer.Value);

        var meter = meters.Create(MlopsTelemetry.Name);
        meter.CreateObservableGauge("mlops.outbox.backlog", () => Measure(f => f.BacklogRows), "{row}",
            "Outbox rows due and not yet sent.");
        meter.CreateObservableGauge("mlops.outbox.backlog.age", () => Measure(f => f.BacklogOldestSeconds), "s",
            "How long the oldest due, unsent outbox row has waited.");
        meter.CreateObservableGauge("mlops.outbox.parked", () => Measure(f => f.ParkedRows), "{row}",
            "Outbox rows set aside because they can never be sent (reason in messaging.outbox.last_error).");
        meter.CreateObservableGauge("mlops.dead_letters", () => Measure(f => f.DeadLetters), "{message}",
            "Dead letters of this service not yet replayed.");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<T>> Measure<T>(Func<MessagingFigures, T> pick)
        where T : struct =>
        Figures() is { } figures ? [new Measurement<T>(pick(figures), _producer)] : [];

    private MessagingFigures? Figures()
    {
        lock (_lock)
        {
            if (_figures is not null && System.Diagnostics.Stopwatch.GetElapsedTime(_readAt) < ReuseFor)
                return _figures;
            try
            {
                using var connection = _dataSource.OpenConnection();
                _figures = MessagingFigures.Read(connection, (string)_producer.Value!);
                _readAt = System.Diagnostics.Stopwatch.GetTimestamp();
                return _figures;
            }
            catch (ObjectDisposedException)
            {
                // The last export while the host shuts down, after the data source is gone.
                return null;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // No value rather than a stale one: a gap in the series says the database could not be read.
                LogUnreadable(exception);
                _figures = null;
                return null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox gauges could not read the messaging tables")]
    private partial void LogUnreadable(Exception exception);
}
