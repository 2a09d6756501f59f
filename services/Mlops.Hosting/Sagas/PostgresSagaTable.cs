using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mlops.Hosting.Data;

namespace Mlops.Hosting.Sagas;

/// <summary>
/// Where and how one saga type is stored. The table belongs to the service that owns the saga and is created by
/// its migrations with this layout:
/// <code>
/// correlation_id uuid PRIMARY KEY, current_state text, version integer NOT NULL, data jsonb NOT NULL,
/// created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now()
/// </code>
/// The whole instance is kept as JSON in <c>data</c>; <c>current_state</c> is copied out so operators can query it.
/// </summary>
public sealed class PostgresSagaTable<TSaga>
    where TSaga : class
{
    private static readonly PropertyInfo? CurrentStateProperty =
        typeof(TSaga).GetProperty("CurrentState", BindingFlags.Public | BindingFlags.Instance) is { PropertyType: var type } property && type == typeof(string)
            ? property
            : null;

    public PostgresSagaTable(string qualifiedTableName)
    {
        QuotedName = SqlIdentifier.QuoteQualified(qualifiedTableName, "saga table name");
        Name = qualifiedTableName;
    }

    public string Name { get; }

    public string QuotedName { get; }

    public JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string? CurrentStateOf(TSaga saga) => CurrentStateProperty?.GetValue(saga) as string;

    public string Serialize(TSaga saga) => JsonSerializer.Serialize(saga, SerializerOptions);

    public TSaga Deserialize(string json) =>
        JsonSerializer.Deserialize<TSaga>(json, SerializerOptions) ?? throw new InvalidOperationException($"Saga row of {Name} holds no instance.");
}
