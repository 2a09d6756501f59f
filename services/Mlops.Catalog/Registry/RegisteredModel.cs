namespace Mlops.Catalog.Registry;

public sealed record RegisteredModel(string Name, string? Description, string CreatedBy, DateTime CreatedAt);
