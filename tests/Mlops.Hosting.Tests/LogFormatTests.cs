using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mlops.Hosting.Telemetry;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_a_log_line_is_written
{
    [Fact]
    public void It_carries_the_current_trace_id_on_one_line()
    {
        using var activity = new Activity("test").Start();
        var output = new StringWriter();

        new TraceConsoleFormatter().Write(
            new LogEntry<string>(LogLevel.Warning, "Mlops.Training", default, "Trained churn\nv3", null, (state, _) => state), null, output);

        var line = output.ToString();
        Assert.Contains($"warn Mlops.Training [{activity.TraceId.ToHexString()}] Trained churn v3", line);
        Assert.Single(line.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
