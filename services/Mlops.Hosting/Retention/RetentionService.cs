using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Messaging;
using Npgsql;

namespace Mlops.Hosting.Retention;

/// <summary>
/// Runs every registered <see cref="RetentionRule"/> each <see cref="RetentionOptions.Interval"/>: small batches, each its own
/// short transaction, a pause between them. A rule runs in one instance at a time (a session advisory lock named after it):
/// the other instances of the service skip it. A failure is logged and retried at the next interval.
/// </summary>
public sealed partial class RetentionService(
    NpgsqlDataSource dataSource,
    IEnumerable<RetentionRule> rules,
    IConfiguration configuration,
    IOptions<RetentionOptions> options,
    ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
            return;

        while (!stoppingToken.IsCancellationRequested)
        {
            await RunOnceAsync(stoppingToken);
            try
            {
                await Task.Delay(options.Value.Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Runs every rule once; returns what each deleted (a rule another instance holds deletes nothing here).</summary>
    public async Task<IReadOnlyDictionary<string, RetentionRun>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var deleted = new Dictionary<string, RetentionRun>();
        foreach (var rule in rules.DistinctBy(x => x.Name))
        {
            try
            {
                deleted[rule.Name] = await RunAsync(rule, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogRuleFailed(exception, rule.Name, TransientFailures.IsTransient(exception));
                deleted[rule.Name] = new RetentionRun(0, 0, Skipped: false);
            }
        }
        return deleted;
    }

    private async Task<RetentionRun> RunAsync(RetentionRule rule, CancellationToken cancellationToken)
    {
        var section = configuration.GetSection($"{RetentionOptions.Section}:{rule.Name}");
        var period = section.GetValue("Period", rule.DefaultPeriod);
        var batchSize = section.GetValue("BatchSize", rule.DefaultBatchSize);
        if (period <= TimeSpan.Zero || batchSize < 1)
            throw new InvalidOperationException($"Retention:{rule.Name}: Period must be positive and BatchSize at least 1.");

        var lockKey = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("mlops-retention:" + rule.Name)), 0);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@lockKey)", new { lockKey },
                cancellationToken: cancellationToken)))
            return new RetentionRun(0, 0, Skipped: true);

        try
        {
            var cutoff = DateTime.UtcNow - period;
            long total = 0;
            var batches = 0;
            while (true)
            {
                var rows = await connection.ExecuteAsync(new CommandDefinition(rule.DeleteBatchSql, new { Cutoff = cutoff, BatchSize = batchSize },
                    cancellationToken: cancellationToken));
                total += rows;
                batches++;
                if (rows < batchSize)
                    break;
                await Task.Delay(options.Value.PauseBetweenBatches, cancellationToken);
            }

            if (total > 0)
                LogDeleted(rule.Name, total, period.TotalDays);
            return new RetentionRun(total, batches, Skipped: false);
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@lockKey)", new { lockKey }, cancellationToken: CancellationToken.None));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention {Rule}: deleted {Rows} rows older than {PeriodDays} days")]
    private partial void LogDeleted(string rule, long rows, double periodDays);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention {Rule} failed (transient: {Transient}); it runs again at the next interval")]
    private partial void LogRuleFailed(Exception exception, string rule, bool transient);
}
