using Npgsql;

namespace Mlops.Api.Http;

/// <summary>
/// Failures that say "try again" rather than "this request is wrong": the database unreachable or shutting down, a command
/// timeout, a serialization failure or deadlock, too many connections. The API answers them with 503 and Retry-After; the
/// request's transaction rolled back whole, so a client's retry (with its Idempotency-Key) runs it afresh.
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState.StartsWith("40", StringComparison.Ordinal)   // serialization failure, deadlock
                                      || postgres.SqlState.StartsWith("53", StringComparison.Ordinal)  // insufficient resources, too many connections
                                      || postgres.SqlState.StartsWith("08", StringComparison.Ordinal)  // connection exceptions
                                      || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                                          or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.QueryCanceled,
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException => true,
        System.Net.Sockets.SocketException => true,
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
