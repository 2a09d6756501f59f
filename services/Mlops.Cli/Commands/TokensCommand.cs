using System.CommandLine;
using Mlops.Api.Identity;
using Mlops.Hosting.Identity;

namespace Mlops.Cli.Commands;

/// <summary>API tokens of a principal (needs principals.manage): issue (shown once), list, revoke.</summary>
public static class TokensCommand
{
    public static Command Create()
    {
        var principal = new Option<string>("--principal", "-p") { Description = "Whose token", Required = true };
        var description = new Option<string>("--description") { Description = "What the token is for", DefaultValueFactory = _ => "issued with the mlops CLI" };
        var days = new Option<int?>("--expires-in-days") { Description = "Its lifetime in days (default: the API's, 90)" };
        var issue = new Command("issue", "Issue a token: printed once (the API keeps only its hash)") { principal, description, days };
        issue.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var token = await api.PostAsync<IssuedToken>($"api/principals/{CliOptions.Escape(parse.GetValue(principal)!)}/tokens",
                new { description = parse.GetValue(description), expiresInDays = parse.GetValue(days) }, cancellationToken);
            return output.Write(token, t =>
            {
                CliOutput.Line(t.Token);
                Console.Error.WriteLine($"Token {t.TokenId} for {t.Principal}, valid until {t.ExpiresAt:u}: shown only this once.");
            });
        });

        var listPrincipal = new Option<string>("--principal", "-p") { Description = "Whose tokens", Required = true };
        var list = new Command("list", "A principal's tokens (never the tokens themselves)") { listPrincipal };
        list.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var tokens = await api.GetAsync<List<TokenRecord>>($"api/principals/{CliOptions.Escape(parse.GetValue(listPrincipal)!)}/tokens", cancellationToken);
            return output.Write(tokens, found =>
            {
                foreach (var t in found)
                    CliOutput.Line($"{t.Id}  {t.Description,-30}  expires {t.ExpiresAt:u}  {(t.RevokedAt is { } at ? $"revoked {at:u} by {t.RevokedBy}" : "active")}");
            });
        });

        var revokePrincipal = new Option<string>("--principal", "-p") { Description = "Whose token", Required = true };
        var tokenId = new Argument<Guid>("token-id") { Description = "The token's id (see 'mlops tokens list')" };
        var revoke = new Command("revoke", "Revoke a token; the principal's other tokens keep working") { revokePrincipal, tokenId };
        revoke.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var revoked = await api.PostAsync<TokenRecord>(
                $"api/principals/{CliOptions.Escape(parse.GetValue(revokePrincipal)!)}/tokens/{parse.GetValue(tokenId)}/revoke", new { }, cancellationToken);
            return output.Write(revoked, t => CliOutput.Line($"Revoked token {t.Id} ({t.Description})."));
        });

        return new Command("tokens", "API tokens (admin)") { issue, list, revoke };
    }
}
