using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Mlops.Hosting.Data;

/// <summary>
/// The migrations an assembly embeds as <c>Migrations/&lt;module&gt;/NNNN_name.sql</c>
/// (resource names <c>migrations/&lt;module&gt;/NNNN_name.sql</c>).
/// </summary>
public sealed partial class MigrationSource(Assembly assembly)
{
    [GeneratedRegex(@"^migrations[/\\](?<module>[a-z_][a-z0-9_]*)[/\\](?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex ResourceName();

    public Assembly Assembly { get; } = assembly;

    public IReadOnlyList<Migration> Load()
    {
        var migrations = new List<Migration>();
        foreach (var resource in Assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("migrations", StringComparison.Ordinal))
                continue;

            var match = ResourceName().Match(resource);
            if (!match.Success)
                throw new InvalidOperationException(
                    $"Embedded migration '{resource}' in {Assembly.GetName().Name} is not named Migrations/<module>/NNNN_name.sql.");

            using var stream = Assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));

            migrations.Add(new Migration(match.Groups["module"].Value, int.Parse(match.Groups["version"].Value), match.Groups["name"].Value, sql, checksum));
        }

        var duplicate = migrations.GroupBy(m => (m.Module, m.Version)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Module '{duplicate.Key.Module}' has two migrations numbered {duplicate.Key.Version}.");

        return migrations;
    }
}
