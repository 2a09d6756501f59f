using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Mlops.Hosting.Telemetry;

/// <summary>
/// One line per entry with the trace id, so a log line leads straight to its trace in Jaeger:
/// <c>12:00:01.123 info  Mlops.Training.Consumers.TrainModelConsumer [4bf92f3577b34da6a3ce929d0e0e4736] Trained churn v3</c>.
/// </summary>
public sealed class TraceConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "mlops";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
            return;

        var traceId = Activity.Current?.TraceId.ToHexString() ?? new string('0', 32);
        textWriter.Write(DateTime.Now.ToString("HH:mm:ss.fff"));
        textWriter.Write(' ');
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(' ');
        textWriter.Write(logEntry.Category);
        textWriter.Write(" [");
        textWriter.Write(traceId);
        textWriter.Write("] ");
        textWriter.Write(message?.ReplaceLineEndings(" "));
        if (logEntry.Exception is not null)
        {
            textWriter.Write(' ');
            textWriter.Write(logEntry.Exception.ToString().ReplaceLineEndings(Environment.NewLine + "    "));
        }
        textWriter.Write(Environment.NewLine);
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
