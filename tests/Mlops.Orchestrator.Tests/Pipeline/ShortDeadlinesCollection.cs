using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>The classes that share one orchestrator with short deadlines (and so run one after the other).</summary>
[CollectionDefinition(ShortDeadlines.Collection)]
public sealed class ShortDeadlinesCollection : ICollectionFixture<ShortDeadlines>;
