using System.Net.Sockets;
using System.Text;
using Mlops.Hosting.Messaging;
using Npgsql;

namespace Mlops.Serving.Inference;

/// <summary>
/// What a failed inference-log write means. Transient: the database is unreachable, restarting, overloaded or the transaction
/// lost a conflict — retry the same rows, forever. Poison: PostgreSQL refused the data itself (SQLSTATE classes 22 data
/// exception, 23 integrity violation and 54 program limit exceeded — a value too large for jsonb — or a string Npgsql cannot
/// encode) — retrying cannot help, so the batch is split to find the rows. Anything else (a missing table, a permission) is retried too: it is the deployment, not a row.
/// </summary>
/// <remarks>What is transient is decided for every service by <see cref="TransientFailures"/>; what is poison here is the log's own.</remarks>
internal static class DatabaseFailure
{
    public static bool IsPoison(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState[..2] is "22" or "23" or "54",
        EncoderFallbackException => true,
        _ => false,
    };

    public static bool IsTransient(Exception exception) => TransientFailures.IsTransient(exception);

    /// <summary>A failure that says nothing about the rows: worth retrying the same batch.</summary>
    public static bool IsRetryable(Exception exception) =>
        !IsPoison(exception) && exception is NpgsqlException or TimeoutException or IOException or SocketException or InvalidOperationException;
}
