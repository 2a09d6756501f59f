namespace Mlops.Hosting.Retention;

/// <summary>What one run of a rule did: rows deleted, in how many batches, or skipped because another instance held it.</summary>
public sealed record RetentionRun(long Rows, int Batches, bool Skipped);
