namespace Mlops.Api.Authorization;

/// <summary>The caller lacks <see cref="Permission"/> in <see cref="Catalog"/>; the refusal is already audited when this is thrown.</summary>
public sealed class AccessDeniedException(string permission, string catalog, string resource, string? reason = null)
    : Exception(reason ?? $"Missing permission {permission} in catalog {catalog} for {resource}.")
{
    public string Permission { get; } = permission;
    public string Catalog { get; } = catalog;
    public string Resource { get; } = resource;
}
