namespace Mlops.Cli.Demo;

/// <summary>The demo's webhook receiver (mlops webhooks listen, started by deploy/demo.sh) and the secret it verifies with.</summary>
public sealed record DemoWebhook(Uri Url, string Secret);
