namespace Mlops.Hosting.Outbox;

/// <summary>The name under which a service owns its outbox rows: only its own dispatcher sends them.</summary>
public sealed record ProducerName(string Value);
