namespace Mlops.Testing;

/// <summary>
/// deploy/rabbitmq-permissions.txt, the same file deploy/infra.sh reads: each service's RabbitMQ user and the permissions it
/// gets on a virtual host, computed exactly as the script does, so test hosts run under the production permissions.
/// </summary>
public sealed class RabbitMqPermissions
{
    private RabbitMqPermissions(string service, IReadOnlyList<string> endpoints, IReadOnlyList<string> publishes)
    {
        Service = service;
        Endpoints = endpoints;
        Publishes = publishes;
    }

    public string Service { get; }

    public string User => "mlops_" + Service;

    /// <summary>Regular expressions of the queues the service consumes.</summary>
    public IReadOnlyList<string> Endpoints { get; }

    /// <summary>The message types (Mlops.Contracts) it may publish.</summary>
    public IReadOnlyList<string> Publishes { get; }

    public string Configure => $"^({Own}Mlops[.]Contracts:.*|MassTransit:Fault--.*|.*_bus_.*)$";

    public string Write => $"^({Own}{(Publishes.Count == 0 ? "" : $"Mlops[.]Contracts:({string.Join('|', Publishes)})|")}MassTransit:Fault--.*|.*_bus_.*)$";

    public string Read => $"^({Own}Mlops[.]Contracts:.*|.*_bus_.*)$";

    private string Own => Endpoints.Count == 0 ? "" : $"({string.Join('|', Endpoints)})(_error|_skipped)?|";

    public static IReadOnlyList<RabbitMqPermissions> All => Lazy.Value;

    /// <summary>The line of <paramref name="service"/> (its name without dashes), or null for a host that is no service.</summary>
    public static RabbitMqPermissions? Of(string service) =>
        All.FirstOrDefault(p => p.Service == service.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant());

    private static readonly Lazy<IReadOnlyList<RabbitMqPermissions>> Lazy = new(() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "rabbitmq-permissions.txt"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Select(fields => new RabbitMqPermissions(fields[0],
                fields[1] == "-" ? [] : fields[1].Split(','),
                fields.Skip(2).Where(f => f != "-").ToList()))
            .ToList());
}
