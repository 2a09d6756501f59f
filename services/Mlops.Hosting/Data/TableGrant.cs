namespace Mlops.Hosting.Data;

/// <summary>One table's rights for one role, on top of what <see cref="SchemaGrant"/>s give it (see <see cref="DatabaseAccessPolicy.TableGrants"/>).</summary>
public sealed record TableGrant(string Table, string Role, SchemaAccessLevel Level);
