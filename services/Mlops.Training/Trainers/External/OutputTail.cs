using System.Text;
using Mlops.Hosting.Data;

namespace Mlops.Training.Trainers.External;

/// <summary>
/// The end of one output stream of a trainer, at most a fixed number of bytes however much it writes: a trainer that logs
/// gigabytes cannot exhaust the service's memory or the tracking store.
/// </summary>
public sealed class OutputTail(int capacity)
{
    private readonly byte[] _ring = new byte[capacity];
    private readonly Lock _lock = new();
    private long _total;

    public long TotalBytes
    {
        get { lock (_lock) return _total; }
    }

    /// <summary>Reads <paramref name="source"/> to its end, keeping its last bytes.</summary>
    public async Task PumpAsync(Stream source)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer)) > 0)
            Append(buffer.AsSpan(0, read));
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            if (bytes.Length > capacity)
                bytes = bytes[^capacity..];
            var start = (int)(_total % capacity);
            var first = Math.Min(bytes.Length, capacity - start);
            bytes[..first].CopyTo(_ring.AsSpan(start));
            bytes[first..].CopyTo(_ring);
            _total += bytes.Length;
        }
    }

    /// <summary>The bytes kept, oldest first.</summary>
    public byte[] ToArray()
    {
        lock (_lock)
        {
            if (_total <= capacity)
                return _ring[..(int)_total];
            var start = (int)(_total % capacity);
            return [.. _ring[start..], .. _ring[..start]];
        }
    }

    /// <summary>What is kept as an artifact: the bytes, behind a line saying how much was dropped before them, if anything was.</summary>
    public byte[] ToArtifact()
    {
        var kept = ToArray();
        var dropped = TotalBytes - kept.Length;
        return dropped == 0 ? kept : [.. Encoding.UTF8.GetBytes($"[the first {dropped} bytes of {TotalBytes} were dropped; the last {kept.Length} follow]\n"), .. kept];
    }

    /// <summary>The last lines as text fit for a reason: at most <paramref name="maxLines"/> lines and <paramref name="maxChars"/> characters.</summary>
    public string LastLines(int maxLines = 20, int maxChars = 2000)
    {
        var kept = ToArray();
        var text = Encoding.UTF8.GetString(kept.AsSpan(Math.Max(0, kept.Length - maxChars * 4)));
        var cleaned = new string(text.Select(c => c is '\n' or '\t' || !char.IsControl(c) ? c : ' ').ToArray()).TrimEnd();
        var lines = cleaned.Split('\n');
        var tail = string.Join('\n', lines[Math.Max(0, lines.Length - maxLines)..]);
        if (tail.Length > maxChars)
            tail = "…" + tail[^maxChars..];
        return StorableText.Of(tail);
    }
}
