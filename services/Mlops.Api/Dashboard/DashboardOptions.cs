using System.ComponentModel.DataAnnotations;

namespace Mlops.Api.Dashboard;

/// <summary>The web dashboard's settings (Api:Dashboard).</summary>
public sealed class DashboardOptions
{
    public const string Section = "Api:Dashboard";

    public const string TraceIdPlaceholder = "{traceId}";

    /// <summary>Whether Mlops.Api serves the dashboard's pages under /dashboard.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where a trace id links to: the trace UI's address with {traceId} in it, e.g. http://localhost:16686/trace/{traceId} for
    /// Jaeger or http://localhost:18888/traces/detail/{traceId} for the Aspire dashboard. Empty: trace ids are shown without a link.
    /// </summary>
    [MaxLength(2000)]
    public string TraceUrlTemplate { get; set; } = "";

    public bool IsValid() =>
        string.IsNullOrEmpty(TraceUrlTemplate)
        || (TraceUrlTemplate.Contains(TraceIdPlaceholder, StringComparison.Ordinal)
            && Uri.TryCreate(TraceUrlTemplate.Replace(TraceIdPlaceholder, "0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps));
}
