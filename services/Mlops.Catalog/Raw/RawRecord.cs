namespace Mlops.Catalog.Raw;

/// <summary>
/// One record of a landed file as text: <see cref="Values"/> in the table's column order (null: absent or empty), or the
/// problems that make the record unreadable. A <see cref="Fatal"/> problem ends the file: nothing after it can be read reliably.
/// </summary>
public sealed record RawRecord(long Line, string?[]? Values, IReadOnlyList<RawProblem> Problems, bool Fatal = false)
{
    public static RawRecord Refused(long line, string? column, string message, bool fatal = false) => new(line, null, [new RawProblem(line, column, message)], fatal);
}
