using System.CommandLine;
using Mlops.Api.Audit;
using Mlops.Hosting.Audit;

namespace Mlops.Cli.Commands;

/// <summary>The audit log (needs audit.read): verify the hash chain, query entries, and the compliance report for a date range.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var verify = new Command("verify", "Verify the hash chain; exits 1 naming the first entry edited, deleted or reordered");
        verify.RunWithApi(async (_, api, output, cancellationToken) =>
        {
            var verdict = await api.GetAsync<AuditVerification>("api/audit/verify", cancellationToken);
            output.Write(verdict, v => { if (v.Intact) CliOutput.Line(v.Message); });
            return verdict.Intact ? 0 : output.Fail($"the audit log is broken at entry {verdict.FirstBadSeq} ({verdict.Problem}): {verdict.Message}");
        });

        var principal = new Option<string?>("--principal") { Description = "Only entries of this principal" };
        var action = new Option<string?>("--action") { Description = "Only this action (e.g. model.rollback)" };
        var model = new Option<string?>("--model", "-m") { Description = "Only entries about this model and its versions" };
        var outcome = new Option<string?>("--outcome") { Description = "succeeded, denied or failed" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "From this instant (ISO 8601), inclusive" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Until this instant (ISO 8601), exclusive" };
        var limit = new Option<int>("--limit") { Description = "How many entries", DefaultValueFactory = _ => 1000 };
        var entries = new Command("entries", "Who did what to which resource, and when") { principal, action, model, outcome, from, to, limit };
        entries.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var found = await api.GetAsync<List<AuditEntry>>("api/audit/entries" + CliOptions.Query(("principal", parse.GetValue(principal)),
                ("action", parse.GetValue(action)), ("model", parse.GetValue(model)), ("outcome", parse.GetValue(outcome)), ("from", parse.GetValue(from)),
                ("to", parse.GetValue(to)), ("limit", parse.GetValue(limit))), cancellationToken);
            return output.Write(found, list =>
            {
                foreach (var entry in list)
                    CliOutput.Line($"{entry.Seq,6}  {entry.At:yyyy-MM-dd HH:mm:ss}Z  {entry.Principal,-20}  {entry.Action,-22}  {entry.Outcome,-9}  {entry.Resource}  {entry.Detail}");
                if (list.Count == 0)
                    CliOutput.Line("No entries.");
            });
        });

        var reportFrom = new Option<DateTimeOffset>("--from") { Description = "From this instant (ISO 8601), inclusive", Required = true };
        var reportTo = new Option<DateTimeOffset>("--to") { Description = "Until this instant (ISO 8601), exclusive", Required = true };
        var format = new Option<string>("--format") { Description = "json or csv", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "csv");
        var report = new Command("report", "The compliance report for [from, to): the chain's verdict, counts per action and outcome, every entry")
        {
            reportFrom, reportTo, format,
        };
        report.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var query = CliOptions.Query(("from", parse.GetValue(reportFrom)), ("to", parse.GetValue(reportTo)));
            if (parse.GetValue(format) == "csv" && !output.Json)
            {
                Console.Write(await api.GetTextAsync("api/audit/report" + query + "&format=csv", cancellationToken));
                return 0;
            }
            var found = await api.GetAsync<ComplianceReport>("api/audit/report" + query, cancellationToken);
            return output.Write(found, r =>
            {
                CliOutput.Line($"compliance report {r.From:u} to {r.To:u} (generated {r.GeneratedAt:u}): {r.Entries.Count} entries; chain: {r.Chain.Message}");
                foreach (var line in r.Summary)
                    CliOutput.Line($"  {line.Action,-24}  {line.Outcome,-9}  {line.Count,6} by {line.Principals} principal(s)");
            });
        });

        return new Command("audit", "The tamper-evident audit log") { verify, entries, report };
    }
}
