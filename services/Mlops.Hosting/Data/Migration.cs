namespace Mlops.Hosting.Data;

/// <summary>One numbered SQL file of one module (a module owns one or more schemas).</summary>
public sealed record Migration(string Module, int Version, string Name, string Sql, string Checksum);
