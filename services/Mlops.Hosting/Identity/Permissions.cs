namespace Mlops.Hosting.Identity;

/// <summary>What an action needs, always checked against one catalog (dev, staging, prod) or, for the global ones, any.</summary>
public static class Permissions
{
    public const string CatalogRead = "catalog.read";
    public const string CatalogWrite = "catalog.write";
    public const string ModelsRead = "models.read";
    public const string ModelsWrite = "models.write";
    public const string ModelsPromote = "models.promote";
    /// <summary>Scoring requests to Serving: the consumer right, granted where the role may read the catalog.</summary>
    public const string ModelsInvoke = "models.invoke";
    public const string ModelsRollbackOverride = "models.rollback_override";
    public const string AuditRead = "audit.read";
    public const string PrincipalsManage = "principals.manage";
    public const string DeadLettersManage = "deadletters.manage";

    /// <summary>The catalog global permissions (audit, principals) are checked against.</summary>
    public const string AnyCatalog = "*";

    /// <summary>Every permission of a catalog, then the global ones.</summary>
    public static readonly IReadOnlyList<string> PerCatalog = [CatalogRead, CatalogWrite, ModelsRead, ModelsWrite, ModelsPromote, ModelsRollbackOverride];

    public static readonly IReadOnlyList<string> Global = [AuditRead, PrincipalsManage];
}
