using Mlops.Catalog.Models;

namespace Mlops.Promotion.Tests;

public sealed record RegisteredVersion(string ModelName, int Version, string ArtifactSha256, ModelDocument Document, int FeatureVersion);
