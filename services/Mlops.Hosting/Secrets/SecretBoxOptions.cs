namespace Mlops.Hosting.Secrets;

/// <summary>
/// The <c>Secrets</c> section: <c>Key</c> is 32 bytes, base64 (e.g. <c>openssl rand -base64 32</c>), given as the environment
/// variable <c>Secrets__Key</c> and never kept in the repository. A service that has nothing to decrypt may run without it.
/// </summary>
public sealed class SecretBoxOptions
{
    public const string Section = "Secrets";

    public string? Key { get; set; }
}
