using Dapper;
using MassTransit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Tests.Messages;
using Npgsql;

namespace Mlops.Hosting.Tests.Consumers;

/// <summary>Fails its first <see cref="Flaky.FailTimes"/> attempts, transiently (a timeout) or not, then succeeds.</summary>
public sealed class FlakyConsumer(DbSession session, NpgsqlDataSource dataSource) : IConsumer<Flaky>
{
    public async Task Consume(ConsumeContext<Flaky> context)
    {
        await using (var connection = await dataSource.OpenConnectionAsync())
            await connection.ExecuteAsync("INSERT INTO hosting_tests.flaky_attempts (flaky_id) VALUES (@FlakyId)", context.Message);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            var attempts = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM hosting_tests.flaky_attempts WHERE flaky_id = @FlakyId", context.Message);
            if (attempts <= context.Message.FailTimes)
                throw context.Message.Transient
                    ? new TimeoutException($"Attempt {attempts} of {context.Message.FlakyId} timed out.")
                    : new InvalidOperationException($"Attempt {attempts} of {context.Message.FlakyId} broke.");
        }

        await session.Connection.ExecuteAsync("INSERT INTO hosting_tests.flaky_done (flaky_id) VALUES (@FlakyId)", context.Message, session.Transaction);
    }
}
