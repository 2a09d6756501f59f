using System.CommandLine;
using Mlops.Api.Identity;
using Mlops.Hosting.Identity;

namespace Mlops.Cli.Commands;

/// <summary>Users and service principals with their roles (needs principals.manage: admins).</summary>
public static class PrincipalsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The principal's name (lower-case letters, digits, '.', '_', '@', '-')" };
        var kind = new Option<string>("--kind") { Description = "user or service", DefaultValueFactory = _ => PrincipalKinds.User };
        kind.AcceptOnlyFromAmong(PrincipalKinds.User, PrincipalKinds.Service);
        var roles = new Option<string[]>("--role")
        {
            Description = $"A role to grant (repeatable): {string.Join(", ", Roles.All)}", AllowMultipleArgumentsPerToken = false,
        };
        var create = new Command("create", "Create a user or service principal with roles") { name, kind, roles };
        create.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var created = await api.PostAsync<PrincipalRecord>("api/principals",
                new { name = parse.GetValue(name), kind = parse.GetValue(kind), roles = parse.GetValue(roles) ?? [] }, cancellationToken);
            return output.Write(created, p => CliOutput.Line($"Created {p.Kind} {p.Name} with roles {(p.Roles.Count == 0 ? "(none)" : string.Join(", ", p.Roles))}."));
        });

        var list = new Command("list", "Every principal with its roles");
        list.RunWithApi(async (_, api, output, cancellationToken) =>
        {
            var principals = await api.GetAsync<List<PrincipalRecord>>("api/principals", cancellationToken);
            return output.Write(principals, found =>
            {
                foreach (var p in found)
                    CliOutput.Line($"{p.Name,-30}  {p.Kind,-8}  {string.Join(",", p.Roles),-40}  {p.CreatedAt:u}");
            });
        });

        return new Command("principals", "Users and service principals (admin)") { create, list };
    }
}
