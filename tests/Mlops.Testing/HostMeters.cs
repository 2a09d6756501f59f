using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Mlops.Testing;

/// <summary>
/// The measurements of one host's own instruments (those its <see cref="IMeterFactory"/> created), heard in-process. Every host
/// of a test process exports every host's meters of the same name, so a scrape cannot tell them apart; this can.
/// </summary>
public sealed class HostMeters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)> _measurements = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)> _observations = new();
    private readonly ConcurrentDictionary<string, bool> _observable = new();

    public HostMeters(IServiceProvider host, params string[] instruments)
    {
        var factory = host.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter.Scope, factory) || !instruments.Contains(instrument.Name))
                return;
            if (instrument.IsObservable)
                _observable.TryAdd(instrument.Name, true);
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every measurement of <paramref name="instrument"/> whose tags include those given (observable ones: since the last <see cref="Observe"/>).</summary>
    public IReadOnlyList<double> Of(string instrument, params (string Tag, object? Value)[] tags) =>
        _measurements.Concat(_observations).Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Tag, out var v) && Equals(v, t.Value)))
            .Select(m => m.Value).ToList();

    /// <summary>Reads the observable instruments now, replacing what they said before.</summary>
    public void Observe()
    {
        _observations.Clear();
        _listener.RecordObservableInstruments();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
            copy[tag.Key] = tag.Value;
        (_observable.ContainsKey(instrument.Name) ? _observations : _measurements).Enqueue((instrument.Name, value, copy));
    }

    public void Dispose() => _listener.Dispose();
}
