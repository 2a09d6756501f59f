namespace Mlops.Api.Requests;

/// <summary>One column: its name, its type (bigint, integer, double precision, numeric, boolean, text, timestamptz, date) and whether every row must give it.</summary>
public sealed record RawColumnRequest(string? Name, string? Type, bool? Required);
