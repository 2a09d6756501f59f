using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Contracts;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Monitoring.Windows;
using Mlops.Serving;
using Mlops.Testing;

namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>
/// A test class's database and virtual host with the real monitoring service on them — windows of
/// <see cref="WindowSize"/>, evaluated on demand only — and a second host that records the alerts it raises. Serving's
/// migration runs too, so serving.inference_log exists for the tests to write predictions into.
/// </summary>
public class MonitoringHosts : TestEnvironment
{
    public static readonly TimeSpan WindowSize = TimeSpan.FromSeconds(10);
    public const int RawValueLimit = 1000;

    /// <summary>Windows an hour old: closed long ago, so evaluation never waits on the clock.</summary>
    private static readonly DateTime Origin = TimeWindow.Containing(DateTime.UtcNow.AddHours(-1), WindowSize).Start;

    private WebApplication? monitoring;
    private WebApplication? recorder;

    public RecordedEvents Events { get; } = new();

    public ServingLog Log => new(Database);

    public IServiceProvider Services => monitoring!.Services;

    public static TimeWindow Window(int index) => new(Origin + index * WindowSize, Origin + (index + 1) * WindowSize);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        monitoring = await StartMonitoringAsync();
        recorder = await TestHost.StartAsync(this, "recorder", b =>
        {
            b.AddMlopsDefaults();
            b.Services.AddSingleton(Events);
            b.AddMlopsMessaging(bus => bus.AddConsumer<EventRecorder>());
        });
    }

    /// <summary>An instance of the monitoring service, built as its Program.cs builds it, plus Serving's migration.</summary>
    protected Task<WebApplication> StartMonitoringAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Monitoring:WindowSize"] = WindowSize.ToString(),
            ["Monitoring:WindowGrace"] = "00:00:00",
            ["Monitoring:EvaluateOnSchedule"] = "false",
            ["Monitoring:RawValueLimit"] = RawValueLimit.ToString(),
        };
        Configure(settings);
        return TestHost.StartAsync(this, "monitoring", b =>
        {
            b.AddMlopsDefaults();
            b.AddMonitoringService();
            b.Services.AddMlopsMigrations(typeof(ServingExtensions).Assembly);
        }, settings);
    }

    /// <summary>Writes the rows as one log batch and announces it as Serving would; returns the batch id.</summary>
    public async Task<Guid> LogBatchAsync(string modelName, IEnumerable<LoggedPrediction> rows, Guid? batchId = null)
    {
        var id = batchId ?? Guid.NewGuid();
        var count = await Log.WriteAsync(id, modelName, rows);
        await AnnounceAsync(id, modelName, count);
        return id;
    }

    public Task AnnounceAsync(Guid batchId, string modelName, int rowCount, Guid? messageId = null) =>
        PublishAsync(new PredictionsLogged
        {
            BatchId = batchId, ModelName = modelName, Environment = modelName.Split('.')[0], Principal = "serving@test", RowCount = rowCount,
        }, messageId);

    public Task WaitCountedAsync(params Guid[] batches) =>
        Eventually.WaitAsync(
            () => Database.ScalarAsync<long>("SELECT count(*) FROM monitoring.processed_batches WHERE batch_id = ANY(@batches)", new { batches }),
            counted => counted == batches.Length, $"{batches.Length} log batches counted into windows");

    /// <summary>Asks for an evaluation, as an operator would, and waits until it was consumed and every closed window of the model is evaluated.</summary>
    public async Task MonitorAsync(string modelName)
    {
        var messageId = NewId.NextGuid();
        await PublishAsync(new MonitorModel { ModelName = modelName, Environment = modelName.Split('.')[0], Principal = "ops@example.com" }, messageId);
        await WaitConsumedAsync(messageId);
        await WaitEvaluatedAsync(modelName);
    }

    /// <summary>Waits until a consumer recorded the message in its inbox, i.e. committed its work.</summary>
    public Task WaitConsumedAsync(Guid messageId) =>
        Eventually.WaitAsync(
            async () => await Database.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox WHERE message_id = @messageId", new { messageId }) > 0,
            $"message {messageId} consumed");

    public Task WaitEvaluatedAsync(string modelName) =>
        Eventually.WaitAsync(
            () => Database.ScalarAsync<long>(
                "SELECT count(*) FROM monitoring.windows WHERE model_name = @modelName AND evaluated_revision IS DISTINCT FROM revision", new { modelName }),
            due => due == 0, $"every window of {modelName} evaluated");

    /// <summary>How many events of a type monitoring committed to its outbox for a model: the record of what it published, delivered or not.</summary>
    public Task<long> PublishedAsync<T>(string modelName) =>
        Database.ScalarAsync<long>("""
            SELECT count(*) FROM messaging.outbox
            WHERE producer = 'monitoring' AND message_type LIKE '%:' || @type AND body LIKE '%"' || @modelName || '"%'
            """, new { type = typeof(T).Name, modelName });

    public Task<IReadOnlyList<StoredWindowRow>> WindowsAsync(string modelName) =>
        Database.QueryAsync<StoredWindowRow>("""
            SELECT version AS Version, window_start AS WindowStart, row_count AS RowCount, histograms::text AS Histograms, raw_values::text AS RawValues,
                   pg_column_size(histograms) AS HistogramBytes
            FROM monitoring.windows WHERE model_name = @modelName ORDER BY version, window_start
            """, new { modelName });

    public Task<IReadOnlyList<StoredResultRow>> ResultsAsync(string modelName) =>
        Database.QueryAsync<StoredResultRow>("""
            SELECT version AS Version, subject_kind AS SubjectKind, subject AS Subject, metric AS Metric, window_start AS WindowStart, status AS Status,
                   value AS Value, threshold AS Threshold, breached AS Breached, baseline AS Baseline, p_value AS PValue, method AS Method,
                   sample_size AS SampleSize, reason AS Reason
            FROM monitoring.metric_results WHERE model_name = @modelName ORDER BY window_start, subject_kind, subject, metric
            """, new { modelName });

    public Task PublishAsync<T>(T message, Guid? messageId = null)
        where T : class =>
        PublishAsync(message, context =>
        {
            if (messageId is { } id)
                context.MessageId = id;
        });

    /// <summary>Overrides of the monitoring service's settings for a test class.</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    public override async Task DisposeAsync()
    {
        await recorder.StopQuietlyAsync();
        await monitoring.StopQuietlyAsync();
        await base.DisposeAsync();
    }
}
