using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace Mlops.Testing;

/// <summary>
/// An in-process span store fed by every host of a test through <see cref="CreateProcessor"/>. Hosts in one process all
/// hear each other's ActivitySources, so spans are kept once by span id.
/// </summary>
public sealed class SpanCollector
{
    private readonly ConcurrentDictionary<ActivitySpanId, Activity> _spans = new();

    public IReadOnlyCollection<Activity> Spans => _spans.Values.ToList();

    public BaseProcessor<Activity> CreateProcessor() => new SimpleActivityExportProcessor(new Exporter(this));

    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => _spans.Values.Where(s => s.TraceId == traceId).ToList();

    private sealed class Exporter(SpanCollector collector) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
                collector._spans.TryAdd(activity.SpanId, activity);
            return ExportResult.Success;
        }
    }
}
