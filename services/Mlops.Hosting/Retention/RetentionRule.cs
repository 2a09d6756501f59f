namespace Mlops.Hosting.Retention;

/// <summary>
/// What one owner deletes, and when: <see cref="DeleteBatchSql"/> deletes at most <c>@BatchSize</c> rows older than
/// <c>@Cutoff</c> (typically <c>DELETE FROM t WHERE ctid IN (SELECT ctid FROM t WHERE x_at &lt; @Cutoff LIMIT @BatchSize)</c>)
/// and is run again until it deletes fewer. <c>Retention:&lt;Name&gt;:Period</c> and <c>Retention:&lt;Name&gt;:BatchSize</c>
/// override the defaults.
/// </summary>
public sealed record RetentionRule(string Name, string DeleteBatchSql, TimeSpan DefaultPeriod, int DefaultBatchSize = 1_000);
