using System.Collections;
using System.Reflection;
using System.Text.Json;
using Mlops.Hosting;

namespace Mlops.Deployment.Tests;

/// <summary>
/// Whether a service reads a configuration key that a deployment sets (ConnectionStrings__Postgres, Messaging__RabbitMq__Host...):
/// the key names a setting of the service's appsettings.json, or a property of an options class it binds (a class with a
/// <c>Section</c> constant in the service's assembly or in Mlops.Hosting, walked through nested classes, lists and dictionaries).
/// A typo, or a setting renamed in the code but not in the manifests, fails.
/// </summary>
public static class ConfigurationKeys
{
    /// <summary>Read by the runtime or OpenTelemetry from the environment, not through IConfiguration sections.</summary>
    private static readonly string[] EnvironmentPrefixes = ["OTEL_", "DOTNET_", "ASPNETCORE_"];

    /// <summary>
    /// Keys every host reads: Kestrel's addresses, the connection string, log levels of any category, and the directory of
    /// password files (AddMlopsSecrets, before any options are bound).
    /// </summary>
    private static readonly string[][] HostKeys = [["Urls"], ["ConnectionStrings", "Postgres"], ["Logging", "LogLevel", "*"], ["Secrets", "Directory"]];

    /// <summary>Null when <paramref name="service"/> reads <paramref name="key"/>, else why not.</summary>
    public static string? Problem(ServiceProject service, string key)
    {
        if (EnvironmentPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal)))
            return null;
        var path = key.Split(key.Contains("__") ? "__" : ":");
        if (HostKeys.Any(known => Matches(known, path)))
            return null;
        if (service.AppSettings is { } json && InJson(JsonDocument.Parse(json).RootElement, path))
            return null;
        if (OptionsTypes(service).Any(section => InOptions(section, path)))
            return null;
        if (CliSetting(service, key))
            return null;
        return $"{service.Name} reads no setting {string.Join(':', path)} (not in its appsettings.json nor in an options class it binds)";
    }

    /// <summary>The CLI binds MLOPS_API_URL, MLOPS_TOKEN... from the environment onto its settings class, not an options section.</summary>
    private static bool CliSetting(ServiceProject service, string key)
    {
        const string prefix = "MLOPS_";
        if (!key.StartsWith(prefix, StringComparison.Ordinal) || service.Assembly?.GetType("Mlops.Cli.Api.CliSettings") is not { } settings)
            return false;
        var name = key[prefix.Length..];
        return settings.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(property => property.CanWrite &&
            string.Equals(property.GetCustomAttribute<Microsoft.Extensions.Configuration.ConfigurationKeyNameAttribute>()?.Name ?? property.Name,
                name, StringComparison.OrdinalIgnoreCase));
    }

    private static bool Matches(string[] known, string[] path) =>
        known.Length == path.Length && known.Zip(path).All(pair => pair.First == "*" || string.Equals(pair.First, pair.Second, StringComparison.OrdinalIgnoreCase));

    private static bool InJson(JsonElement element, ReadOnlySpan<string> path)
    {
        if (path.IsEmpty)
            return true;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                    if (string.Equals(property.Name, path[0], StringComparison.OrdinalIgnoreCase) && InJson(property.Value, path[1..]))
                        return true;
                return false;
            case JsonValueKind.Array:
                return int.TryParse(path[0], out var index) && index < element.GetArrayLength() && InJson(element[index], path[1..]);
            default:
                return false;
        }
    }

    private static IEnumerable<(string[] Section, Type Type)> OptionsTypes(ServiceProject service)
    {
        var assemblies = new[] { typeof(MlopsHostingExtensions).Assembly, service.Assembly }.OfType<Assembly>().Distinct();
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.GetRawConstantValue() is string section)
                yield return (section.Split(':'), type);
    }

    private static bool InOptions((string[] Section, Type Type) options, string[] path)
    {
        if (path.Length <= options.Section.Length || !options.Section.Zip(path).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase)))
            return false;
        return InType(options.Type, path.AsSpan(options.Section.Length));
    }

    private static bool InType(Type type, ReadOnlySpan<string> path)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (path.IsEmpty)
            return true;
        if (type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(TimeSpan) || type == typeof(decimal) || type == typeof(Uri))
            return false;
        if (DictionaryValueType(type) is { } valueType)
            return InType(valueType, path[1..]);
        if (ElementType(type) is { } elementType)
            return int.TryParse(path[0], out _) && InType(elementType, path[1..]);
        var name = path[0];
        var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && (p.CanWrite || !p.PropertyType.IsValueType));
        return property is not null && InType(property.PropertyType, path[1..]);
    }

    private static Type? DictionaryValueType(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>) && i.GetGenericArguments()[0] == typeof(string))
            ?.GetGenericArguments()[1];

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType ? type.GetGenericArguments()[0]
        : null;
}
