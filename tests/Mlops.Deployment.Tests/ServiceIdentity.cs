using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.Hosting.Data;

namespace Mlops.Deployment.Tests;

/// <summary>
/// Who a deployed process is to PostgreSQL and RabbitMQ (docs/security.md, "Trust boundaries"): a service its own role and
/// user, mlops_&lt;service&gt;; the CLI (the migration job, the demo's bootstrap) the owner. A setting is read as the process
/// reads it: the environment's value wins over the service's appsettings.json.
/// </summary>
public static partial class ServiceIdentity
{
    public const string DatabaseUsername = "Database:Username";

    public const string BrokerUsername = "Messaging:RabbitMq:Username";

    /// <summary>The configuration keys a password may come from: only files in the principal's own secrets directory.</summary>
    public static readonly string[] PasswordKeys = ["Database__Password", "Messaging__RabbitMq__Password"];

    public static string RoleOf(ServiceProject project) => project == ServiceProject.Cli
        ? DatabaseAccessPolicy.OwnerRole
        : DatabaseAccessPolicy.RoleOf(project.Name["Mlops.".Length..]);

    /// <summary>The value of <paramref name="key"/> (with ':') the process gets: from <paramref name="environment"/> (keys with __), else appsettings.json.</summary>
    public static string? Setting(ServiceProject project, IReadOnlyDictionary<string, string> environment, string key)
    {
        if (environment.TryGetValue(key.Replace(":", "__", StringComparison.Ordinal), out var value))
            return value;
        if (project.AppSettings is not { } json)
            return null;
        var element = JsonDocument.Parse(json).RootElement;
        foreach (var part in key.Split(':'))
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
                return null;
        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    /// <summary>
    /// What is wrong with who <paramref name="what"/> (a compose service, a pod) connects as, given its environment: another
    /// database role or broker user than its own, a user or password in the connection string, a password in the environment.
    /// </summary>
    public static IEnumerable<string> Problems(ServiceProject project, IReadOnlyDictionary<string, string> environment, string what)
    {
        var role = RoleOf(project);
        if (Setting(project, environment, DatabaseUsername) is var user && user != role)
            yield return $"{what} connects to PostgreSQL as {user ?? "(nobody)"}, not as its role {role}";
        if (project.IsHttpService && Setting(project, environment, BrokerUsername) is var brokerUser && brokerUser != role)
            yield return $"{what} connects to RabbitMQ as {brokerUser ?? "(nobody)"}, not as its user {role}";
        if (Credentials().IsMatch(environment.GetValueOrDefault("ConnectionStrings__Postgres", "")))
            yield return $"{what}: ConnectionStrings__Postgres names a user or a password; who connects is Database:Username, the password a file";
        foreach (var key in environment.Keys.Where(key => key.Contains("Password", StringComparison.OrdinalIgnoreCase)))
            yield return $"{what}: {key} in the environment; passwords come from its own secrets directory only";
    }

    /// <summary>The services deploy/identities.sh makes a role and a broker user for (its SERVICES default).</summary>
    public static IReadOnlyList<string> ScriptedServices { get; } =
        [.. ServicesLine().Match(Repository.Read("deploy", "identities.sh")).Groups["services"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    [GeneratedRegex(@"^SERVICES=\$\{MLOPS_SERVICES:-(?<services>[^}]*)\}", RegexOptions.Multiline)]
    private static partial Regex ServicesLine();

    [GeneratedRegex(@"(^|;)\s*(user ?name|user ?id|uid|password|pwd)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex Credentials();
}
