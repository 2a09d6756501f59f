namespace Mlops.EndToEnd.Tests;

/// <summary>The API's answers to registering the second domain's raw table and feature table and landing its file.</summary>
public sealed record LandedDomain(int TableStatus, string Table, int FeaturesStatus, string Features, int LandedStatus, string Landed);
