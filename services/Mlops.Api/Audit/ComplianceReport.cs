using System.Globalization;
using System.Text;

namespace Mlops.Api.Audit;

/// <summary>The compliance report for a date range: the chain's verdict, counts per action and outcome, and every entry.</summary>
public sealed record ComplianceReport(DateTimeOffset From, DateTimeOffset To, DateTimeOffset GeneratedAt, AuditVerification Chain,
    IReadOnlyList<ComplianceReportLine> Summary, IReadOnlyList<AuditEntry> Entries)
{
    public static ComplianceReport Create(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, AuditVerification chain, IReadOnlyList<AuditEntry> entries) =>
        new(from, to, now, chain,
            entries.GroupBy(e => (e.Action, e.Outcome)).OrderBy(g => g.Key.Action, StringComparer.Ordinal).ThenBy(g => g.Key.Outcome, StringComparer.Ordinal)
                .Select(g => new ComplianceReportLine(g.Key.Action, g.Key.Outcome, g.Count(), g.Select(e => e.Principal).Distinct().Count())).ToList(),
            entries);

    /// <summary>One row per entry with RFC 4180 quoting; the endpoint sends the chain's verdict in a response header.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("seq,at,principal,action,resource,outcome,detail,trace_id,request_id,hash\r\n");
        foreach (var e in Entries)
        {
            csv.AppendJoin(',', new[]
            {
                e.Seq.ToString(CultureInfo.InvariantCulture), e.At.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
                e.Principal, e.Action, e.Resource, e.Outcome, e.Detail, e.TraceId ?? "", e.RequestId ?? "", e.Hash,
            }.Select(Quote));
            csv.Append("\r\n");
        }
        return csv.ToString();
    }

    // Also neutralises spreadsheet formulas: a field starting with = + - @ is prefixed with a quote.
    private static string Quote(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0]))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
