namespace Mlops.Catalog.Raw;

/// <summary>Why a landed file is refused: the 1-based line of the file it starts on and the column at fault (null: the whole line or file).</summary>
public sealed record RawProblem(long Line, string? Column, string Message);
