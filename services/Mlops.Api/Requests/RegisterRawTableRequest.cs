namespace Mlops.Api.Requests;

/// <summary>
/// A raw table's schema: Name (raw.name or name), its Columns in order, the entity Key (one or more columns, unique within a
/// batch) and the optional EventTime column (timestamptz or date). Key and event-time columns are always required.
/// </summary>
public sealed record RegisterRawTableRequest(string? Name, IReadOnlyList<RawColumnRequest?>? Columns, IReadOnlyList<string?>? Key, string? EventTime);
