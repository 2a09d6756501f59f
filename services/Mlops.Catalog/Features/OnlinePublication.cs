namespace Mlops.Catalog.Features;

/// <summary>
/// A feature table version published to the online store: <see cref="RowsWritten"/> of its <see cref="RowCount"/> rows were
/// inserted or replaced (the others were held by a newer version already); <see cref="AlreadyPublished"/> when it had been
/// published before and nothing was written this time.
/// </summary>
public sealed record OnlinePublication(string Table, string Environment, int Version, long RowCount, long RowsWritten, bool AlreadyPublished);
