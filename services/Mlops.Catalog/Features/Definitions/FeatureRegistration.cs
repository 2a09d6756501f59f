namespace Mlops.Catalog.Features.Definitions;

/// <summary>The outcome of registering a definition: <see cref="Changed"/> is false when it was identical to the current one.</summary>
public sealed record FeatureRegistration(string Name, int DefinitionVersion, bool Changed, string SourceTable, IReadOnlyList<string> Columns);
