namespace Mlops.Api.Requests;

/// <summary>A user or a service principal, with its roles (admin, data_scientist, ml_engineer, devops_engineer, model_consumer, rollback_override).</summary>
public sealed record CreatePrincipalRequest(string? Name, string? Kind, IReadOnlyList<string>? Roles);
