namespace Mlops.Api.Requests;

public sealed record BootstrapRequest(string? Name);
