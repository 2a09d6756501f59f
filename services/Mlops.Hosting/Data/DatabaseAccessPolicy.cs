namespace Mlops.Hosting.Data;

/// <summary>
/// Who may touch which schema: the one table of database rights (docs/security.md, "Trust boundaries"). The migrator
/// (under <see cref="OwnerRole"/>, which owns every schema) applies it after each run, to existing tables and, through
/// default privileges, to tables later migrations add. A schema or role that does not exist yet is skipped until it does.
/// A new service: add its role to deploy/infra.sh (MLOPS_SERVICES) and its schemas here, one line each.
/// </summary>
public static class DatabaseAccessPolicy
{
    /// <summary>Owns every schema and runs migrations; member of every service role, so it can set their default privileges.</summary>
    public const string OwnerRole = "mlops_owner";

    /// <summary>The group every service role belongs to: rights every service needs (outbox, inbox, dead letters, steps, audit append).</summary>
    public const string ServicesRole = "mlops_services";

    /// <summary>The login role of a service: <c>mlops_</c> and its name without dashes (<c>feature-refresh</c> is <c>mlops_featurerefresh</c>).</summary>
    /// <summary>
    /// The role feature expressions run under (SET LOCAL ROLE): NOLOGIN, made by deploy/infra.sh and granted to feature
    /// refresh alone. It reads raw tables and inserts into feature tables (granted by each table's owner when it computes
    /// into it) and labels, nothing else.
    /// </summary>
    public const string FeatureComputeRole = "mlops_featurecompute";

    public static string RoleOf(string service) => "mlops_" + service.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    public static IReadOnlyList<SchemaGrant> Grants { get; } =
    [
        new("messaging", ServicesRole, SchemaAccessLevel.Write),
        new("steps", ServicesRole, SchemaAccessLevel.Write),
        new("audit", ServicesRole, SchemaAccessLevel.Append),

        new("api", RoleOf("api"), SchemaAccessLevel.Write),
        new("identity", RoleOf("api"), SchemaAccessLevel.Write),
        new("identity", RoleOf("serving"), SchemaAccessLevel.Read),

        new("registry", RoleOf("training"), SchemaAccessLevel.Write),
        new("registry", RoleOf("promotion"), SchemaAccessLevel.Write),
        new("registry", RoleOf("compliance"), SchemaAccessLevel.Write),
        new("registry", RoleOf("api"), SchemaAccessLevel.Read),
        new("registry", RoleOf("orchestrator"), SchemaAccessLevel.Read),
        new("registry", RoleOf("serving"), SchemaAccessLevel.Read),

        new("tracking", RoleOf("training"), SchemaAccessLevel.Write),
        new("tracking", RoleOf("promotion"), SchemaAccessLevel.Read),
        new("tracking", RoleOf("serving"), SchemaAccessLevel.Read),
        new("tracking", RoleOf("monitoring"), SchemaAccessLevel.Read),
        new("tracking", RoleOf("compliance"), SchemaAccessLevel.Read),

        new("features", RoleOf("feature-refresh"), SchemaAccessLevel.Create),
        new("features", RoleOf("training"), SchemaAccessLevel.Read),
        // An operator restores a feature table version through the API: a new version and its rows copied by INSERT ... SELECT,
        // with its audit entry (docs/environments.md). The API also reads the schema for lineage (below).
        new("features", RoleOf("api"), SchemaAccessLevel.Append),
        new("features", RoleOf("promotion"), SchemaAccessLevel.Read),
        new("features", RoleOf("compliance"), SchemaAccessLevel.Read),

        // The online store: feature-refresh publishes each version into it (and creates its tables), Serving looks features up by key.
        new("features_online", RoleOf("feature-refresh"), SchemaAccessLevel.Create),
        new("features_online", RoleOf("serving"), SchemaAccessLevel.Read),

        new("raw", RoleOf("feature-refresh"), SchemaAccessLevel.Read),
        new("raw", FeatureComputeRole, SchemaAccessLevel.Read),
        new("raw", RoleOf("compliance"), SchemaAccessLevel.Read),
        new("raw", RoleOf("orchestrator"), SchemaAccessLevel.Read),

        new("pipeline", RoleOf("orchestrator"), SchemaAccessLevel.Write),
        new("pipeline", RoleOf("api"), SchemaAccessLevel.Read),

        new("monitoring", RoleOf("monitoring"), SchemaAccessLevel.Write),

        new("serving", RoleOf("serving"), SchemaAccessLevel.Write),
        new("serving", RoleOf("monitoring"), SchemaAccessLevel.Read),

        new("notifications", RoleOf("notifications"), SchemaAccessLevel.Write),

        // Batch scoring reads models and feature versions, writes its jobs and predictions, and appends its predictions to
        // Serving's inference log (table grants below) for monitoring. The API queues jobs and reads their progress.
        new("scoring", RoleOf("batch-scoring"), SchemaAccessLevel.Write),
        new("registry", RoleOf("batch-scoring"), SchemaAccessLevel.Read),
        new("tracking", RoleOf("batch-scoring"), SchemaAccessLevel.Read),
        new("features", RoleOf("batch-scoring"), SchemaAccessLevel.Read),
        new("scoring", RoleOf("api"), SchemaAccessLevel.Read),
        // The API manages webhook subscriptions and replays in the same transaction as its audit entry.
        new("notifications", RoleOf("api"), SchemaAccessLevel.Write),
        // The dashboard's monitoring page; the API lands batches (mlops land, mlops land-data, the demo) and creates the raw tables
        // it registers, so their default privileges let the raw schema's readers read them.
        new("monitoring", RoleOf("api"), SchemaAccessLevel.Read),
        new("raw", RoleOf("api"), SchemaAccessLevel.Create),
        // Lineage: model version → tracking run → feature version → raw batches, and back.
        new("features", RoleOf("api"), SchemaAccessLevel.Read),
        new("tracking", RoleOf("api"), SchemaAccessLevel.Read),
    ];

    /// <summary>
    /// Tables nobody but the owner may UPDATE, DELETE or TRUNCATE, whatever the schema grants say. Their triggers refuse
    /// those too; only the owner (or a superuser) could disable the triggers, and no service is either.
    /// </summary>
    public static IReadOnlyList<string> AppendOnlyTables { get; } = ["audit.entries", "registry.alias_history", "registry.version_status_changes"];

    /// <summary>
    /// Rights on single tables of a schema a role otherwise gets less of (or nothing): Serving raises security alerts
    /// (repeated refusals) but must never write tokens, principals or grants.
    /// </summary>
    public static IReadOnlyList<TableGrant> TableGrants { get; } =
    [
        new("identity.security_alerts", RoleOf("serving"), SchemaAccessLevel.Append),
        // Feature table definitions are registered through the API (YAML), and a restore takes the catalogue row's lock (FOR
        // UPDATE, which needs UPDATE) that numbers versions.
        new("features.tables", RoleOf("api"), SchemaAccessLevel.Write),
        // An operator archives or restores a version through the API, in the same transaction as its audit entry; the
        // API changes a version's status only, never an alias (aliases move in the promotion service).
        new("registry.model_versions", RoleOf("api"), SchemaAccessLevel.Write),
        new("registry.version_status_changes", RoleOf("api"), SchemaAccessLevel.Append),
        new("scoring.jobs", RoleOf("api"), SchemaAccessLevel.Append),
        new("serving.inference_log", RoleOf("batch-scoring"), SchemaAccessLevel.Append),
        new("serving.logged_batches", RoleOf("batch-scoring"), SchemaAccessLevel.Append),
        new("features.labels", FeatureComputeRole, SchemaAccessLevel.Insert),
        // Feature table definitions are registered through the API (YAML), audited in the same transaction.
        new("features.definitions", RoleOf("api"), SchemaAccessLevel.Append),
    ];
}
