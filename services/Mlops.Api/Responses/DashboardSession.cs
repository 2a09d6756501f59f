namespace Mlops.Api.Responses;

/// <summary>
/// Who the dashboard's caller is and what their token allows in each catalog (permission → catalogs), so the pages offer only
/// the actions the API would accept. The API still checks every call: this is a courtesy, not the authorisation.
/// </summary>
public sealed record DashboardSession(string Principal, IReadOnlyList<string> Roles, IReadOnlyDictionary<string, IReadOnlyList<string>> Permissions,
    string? TraceUrlTemplate);
