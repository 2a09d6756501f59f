using System.Net.Sockets;
using MassTransit;
using Npgsql;
using RabbitMQ.Client.Exceptions;

namespace Mlops.Hosting.Messaging;

/// <summary>
/// The one answer, shared by the outbox dispatcher, the consumer redelivery policy and every writer that asks:
/// will the same operation succeed later without anyone changing the input? A transient failure is retried with capped
/// backoff and never set aside as poison; anything else is poison for the row or message that caused it.
/// </summary>
public static class TransientFailures
{
    private const int PreconditionFailed = 406;

    public static bool IsTransient(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(IsTransient))
                return true;
            if (IsTransientItself(current))
                return true;
        }
        return false;
    }

    private static bool IsTransientItself(Exception exception) => exception switch
    {
        PostgresException postgres => IsTransientSqlState(postgres.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException or SocketException or IOException => true,
        // Our own send timeouts and a broker call cut short by a dropped connection; a shutdown is not a failure at all.
        OperationCanceledException => true,
        // 406 PRECONDITION_FAILED is the broker refusing this message (e.g. larger than its max size): retrying cannot help.
        OperationInterruptedException interrupted => interrupted.ShutdownReason?.ReplyCode != PreconditionFailed,
        BrokerUnreachableException or ConnectFailureException or PossibleAuthenticationFailureException => true,
        ConnectionException or MessageNotAcknowledgedException => true,
        _ => false,
    };

    /// <summary>SQLSTATEs that say "not now" rather than "not this": connection, serialization, resources, shutdown, locks.</summary>
    public static bool IsTransientSqlState(string? sqlState) => sqlState switch
    {
        null => false,
        _ when sqlState.StartsWith("08", StringComparison.Ordinal) => true,
        _ when sqlState.StartsWith("53", StringComparison.Ordinal) => true,
        "40001" or "40P01" => true,
        "57P01" or "57P02" or "57P03" => true,
        // statement_timeout: the statement may well finish when the database is less busy.
        "57014" => true,
        "55P03" => true,
        _ => false,
    };
}
