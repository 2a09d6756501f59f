using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mlops.Hosting.Steps;

/// <summary>
/// Commands and replies as the lease row keeps them: JSON, each reply with its type, so a repeated command is answered with
/// exactly the messages the step committed.
/// </summary>
internal static class StepMessages
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    public static string Serialize<T>(T message) => JsonSerializer.Serialize(message, Json);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new JsonException($"The stored {typeof(T).Name} is null.");

    public static string SerializeReplies(IReadOnlyList<object> replies) =>
        JsonSerializer.Serialize(replies.Select(reply => new StoredReply(TypeName(reply.GetType()), JsonSerializer.Serialize(reply, reply.GetType(), Json))).ToList(), Json);

    public static IReadOnlyList<(object Message, Type Type)> DeserializeReplies(string? json)
    {
        if (string.IsNullOrEmpty(json))
            return [];
        return Deserialize<List<StoredReply>>(json).Select(reply =>
        {
            var type = Type.GetType(reply.Type, throwOnError: true)!;
            return (JsonSerializer.Deserialize(reply.Body, type, Json)!, type);
        }).ToList();
    }

    private sealed record StoredReply(string Type, string Body);
}
