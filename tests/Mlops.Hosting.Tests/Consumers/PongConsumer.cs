using System.Diagnostics;
using Dapper;
using MassTransit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Tests.Messages;

namespace Mlops.Hosting.Tests.Consumers;

/// <summary>Records the trace the Pong arrived in.</summary>
public sealed class PongConsumer(DbSession session) : IConsumer<Pong>
{
    public Task Consume(ConsumeContext<Pong> context) =>
        session.Connection.ExecuteAsync(
            "INSERT INTO hosting_tests.pongs (ping_id, trace_id) VALUES (@PingId, @TraceId)",
            new { context.Message.PingId, TraceId = Activity.Current?.TraceId.ToHexString() ?? "" }, session.Transaction);
}
