using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Mlops.Deployment.Tests;

/// <summary>
/// YAML as plain maps, lists and strings, the way docker compose and kubectl read it: anchors resolved and merge keys
/// (<c>&lt;&lt;: *anchor</c>) applied.
/// </summary>
public static class Yaml
{
    public static IReadOnlyList<Dictionary<object, object>> Documents(string text)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new MergingParser(new Parser(new StringReader(text)));
        var documents = new List<Dictionary<object, object>>();
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
        {
            if (deserializer.Deserialize<Dictionary<object, object>?>(parser) is { } document)
                documents.Add(document);
        }
        return documents;
    }

    public static Dictionary<object, object> Document(string text) => Documents(text).Single();

    public static Dictionary<object, object>? Map(this IDictionary<object, object> map, string key) =>
        map.TryGetValue(key, out var value) ? value as Dictionary<object, object> : null;

    public static List<object>? List(this IDictionary<object, object> map, string key) =>
        map.TryGetValue(key, out var value) ? value as List<object> : null;

    public static string? Text(this IDictionary<object, object> map, string key) =>
        map.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>A path of keys, e.g. "spec", "template", "spec".</summary>
    public static Dictionary<object, object>? At(this IDictionary<object, object> map, params string[] keys)
    {
        Dictionary<object, object>? current = map as Dictionary<object, object> ?? new Dictionary<object, object>(map);
        foreach (var key in keys)
            current = current?.Map(key);
        return current;
    }
}
