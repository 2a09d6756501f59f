using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Telemetry;
using Mlops.Hosting.Tests.Consumers;
using Mlops.Hosting.Tests.Messages;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_a_message_crosses_two_hosts(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task Both_hosts_work_in_one_trace()
    {
        var pinger = await HostingTestHost.StartAsync(environment, "pinger", bus => bus.AddConsumer<PongConsumer>());
        var ponger = await HostingTestHost.StartAsync(environment, "ponger", bus => bus.AddConsumer<PingConsumer>());
        try
        {
            var pingId = Guid.NewGuid();
            ActivityTraceId traceId;
            using (var root = MlopsTelemetry.Source.StartActivity("test: ping"))
            {
                Assert.NotNull(root);
                traceId = root.TraceId;
                await pinger.Services.GetRequiredService<IBus>().Publish(new Ping { PingId = pingId });
            }

            // Ping is consumed in the second host, which answers through its outbox; the first host consumes the Pong.
            var recorded = await Eventually.WaitAsync(() => environment.Database.ScalarAsync<string>(
                "SELECT trace_id FROM hosting_tests.pongs WHERE ping_id = @pingId", new { pingId }), t => t is not null, "the pong");
            Assert.Equal(traceId.ToHexString(), recorded);

            var spans = await Eventually.WaitAsync(() => Task.FromResult(environment.Spans.InTrace(traceId)),
                s => s.Any(IsConsumeOf("Ping")) && s.Any(IsConsumeOf("Pong")) && s.Any(a => a.OperationName == "outbox dispatch"),
                "consume spans of Ping and Pong and the outbox dispatch in the trace");
            Assert.Contains(spans, a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Producer);
        }
        finally
        {
            await pinger.StopQuietlyAsync();
            await ponger.StopQuietlyAsync();
        }
    }

    private static Func<Activity, bool> IsConsumeOf(string messageType) => activity =>
        activity.Kind == ActivityKind.Consumer && activity.Source.Name == "MassTransit"
        && (activity.GetTagItem("messaging.masstransit.message_types") as string ?? activity.DisplayName).Contains(messageType);
}
