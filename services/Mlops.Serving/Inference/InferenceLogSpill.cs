using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Mlops.Serving.Inference;

/// <summary>
/// Rows the writer could not store before the process stopped, kept in local files until the next start replays them. Each
/// file is written whole under a temporary name and renamed, so a file that exists is complete; batches keep their ids, so
/// replaying a batch that did commit (its acknowledgement lost at shutdown) writes nothing twice.
/// </summary>
public sealed partial class InferenceLogSpill(IOptions<ServingOptions> options, IHostEnvironment environment, ILogger<InferenceLogSpill> logger)
{
    private const string Extension = ".spill.json";

    public string Directory { get; } = Path.GetFullPath(options.Value.InferenceLog.SpillDirectory, environment.ContentRootPath);

    public void Write(IReadOnlyList<LogBatch> batches)
    {
        if (batches.Count == 0)
            return;
        System.IO.Directory.CreateDirectory(Directory);
        var name = Path.Combine(Directory, $"{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{Guid.NewGuid():N}{Extension}");
        var temporary = name + ".tmp";
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.WriteThrough))
        {
            JsonSerializer.Serialize(file, batches);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, name);
        LogSpilled(batches.Sum(b => b.Rows.Count), name);
    }

    /// <summary>The spilled files, oldest first.</summary>
    public IReadOnlyList<string> Files() =>
        System.IO.Directory.Exists(Directory) ? System.IO.Directory.GetFiles(Directory, "*" + Extension).Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>
    /// The batches of one file; null when another instance sharing the directory replayed it first, or (the file renamed
    /// aside) when it cannot be read.
    /// </summary>
    public IReadOnlyList<LogBatch>? Read(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize<List<LogBatch>>(stream) ?? [];
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (JsonException exception)
        {
            File.Move(file, file + ".unreadable", overwrite: true);
            LogUnreadable(exception, file);
            return null;
        }
    }

    public void Remove(string file) => File.Delete(file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spilled {Rows} unwritten inference log rows to {File}; they are written at the next start")]
    private partial void LogSpilled(int rows, string file);

    [LoggerMessage(Level = LogLevel.Error, Message = "The inference log spill file {File} cannot be read; it was renamed *.unreadable")]
    private partial void LogUnreadable(Exception exception, string file);
}
