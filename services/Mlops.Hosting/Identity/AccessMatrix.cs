namespace Mlops.Hosting.Identity;

/// <summary>
/// The seed's access matrix (docs/security.md shows it with the reading taken of each cell):
/// catalog rights per role and environment, registry rights as the registry column grants them, plus admin (everything)
/// and rollback_override (only the right to roll back to a version that was never champion).
/// </summary>
public static class AccessMatrix
{
    private static readonly string[] Dev = ["dev"];
    private static readonly string[] Everywhere = ["dev", "staging", "prod"];

    private static readonly Dictionary<(string Role, string Permission), string[]> Grants = new()
    {
        [(Roles.DataScientist, Permissions.CatalogRead)] = Everywhere,
        [(Roles.DataScientist, Permissions.CatalogWrite)] = Dev,
        [(Roles.DataScientist, Permissions.ModelsRead)] = Everywhere,
        [(Roles.DataScientist, Permissions.ModelsWrite)] = Dev,
        [(Roles.DataScientist, Permissions.ModelsInvoke)] = Everywhere,

        [(Roles.MlEngineer, Permissions.CatalogRead)] = Everywhere,
        [(Roles.MlEngineer, Permissions.CatalogWrite)] = ["dev", "staging"],
        [(Roles.MlEngineer, Permissions.ModelsRead)] = Everywhere,
        [(Roles.MlEngineer, Permissions.ModelsWrite)] = Everywhere,
        [(Roles.MlEngineer, Permissions.ModelsPromote)] = Everywhere,
        [(Roles.MlEngineer, Permissions.ModelsInvoke)] = Everywhere,

        [(Roles.DevOpsEngineer, Permissions.CatalogRead)] = Everywhere,
        [(Roles.DevOpsEngineer, Permissions.CatalogWrite)] = ["staging", "prod"],
        [(Roles.DevOpsEngineer, Permissions.ModelsRead)] = Everywhere,
        [(Roles.DevOpsEngineer, Permissions.ModelsPromote)] = Everywhere,
        [(Roles.DevOpsEngineer, Permissions.ModelsInvoke)] = Everywhere,

        [(Roles.ModelConsumer, Permissions.CatalogRead)] = ["staging", "prod"],
        [(Roles.ModelConsumer, Permissions.ModelsRead)] = ["prod"],
        // Serving: a consumer calls the models of the catalogs it may read (staging for integration, prod), never dev's.
        [(Roles.ModelConsumer, Permissions.ModelsInvoke)] = ["staging", "prod"],

        [(Roles.RollbackOverride, Permissions.ModelsRollbackOverride)] = Everywhere,
    };

    public static bool Allows(IEnumerable<string> roles, string permission, string catalog) =>
        roles.Any(role => role == Roles.Admin || (Grants.TryGetValue((role, permission), out var catalogs) && catalogs.Contains(catalog)));
}
