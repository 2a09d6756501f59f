namespace Mlops.Api.Responses;

public sealed record RawColumnView(string Name, string Type, bool Required);
