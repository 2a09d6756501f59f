namespace Mlops.Hosting.Data;

/// <summary>One line of <see cref="DatabaseAccessPolicy"/>: <paramref name="Role"/> may do <paramref name="Level"/> in <paramref name="Schema"/>.</summary>
public sealed record SchemaGrant(string Schema, string Role, SchemaAccessLevel Level);
