using Dapper;
using Mlops.Hosting.Secrets;
using Npgsql;

namespace Mlops.Notifications;

/// <summary>
/// Refuses to start a service that could not sign what it must send: subscriptions exist but Secrets:Key is missing, or
/// the key does not open their secrets (another key than the one they were stored with). Runs after the migrations.
/// </summary>
public sealed partial class SecretKeyCheck(NpgsqlDataSource dataSource, SecretBox secrets, ILogger<SecretKeyCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var sample = (await connection.QueryAsync<(Guid Id, byte[] Secret)>(new CommandDefinition("""
            SELECT id, secret_encrypted FROM notifications.subscriptions WHERE status <> 'deleted' ORDER BY created_at DESC LIMIT 1
            """, cancellationToken: cancellationToken))).ToList();
        if (sample.Count == 0)
        {
            if (!secrets.HasKey)
                LogNoKey(logger);
            return;
        }

        if (!secrets.HasKey)
            throw new InvalidOperationException(
                $"Webhook subscriptions exist but {SecretBoxOptions.Section}:Key is not set, so their secrets cannot be read and no delivery could be signed. " +
                $"Set the environment variable {SecretBoxOptions.Section}__Key to the base64 key the subscriptions were created with.");
        try
        {
            secrets.Decrypt(sample[0].Secret, sample[0].Id.ToString("D"));
        }
        catch (System.Security.Cryptography.CryptographicException exception)
        {
            throw new InvalidOperationException(
                $"{SecretBoxOptions.Section}:Key does not decrypt the secret of webhook subscription {sample[0].Id}: it is not the key the subscriptions were created with.",
                exception);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secrets:Key is not set; fine while there are no webhook subscriptions, but the service will refuse to start once there are")]
    private static partial void LogNoKey(ILogger logger);
}
