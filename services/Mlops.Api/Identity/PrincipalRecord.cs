namespace Mlops.Api.Identity;

public sealed record PrincipalRecord(Guid Id, string Name, string Kind, IReadOnlyList<string> Roles, DateTime CreatedAt);
