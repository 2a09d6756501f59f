using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Mlops.Hosting.Secrets;

/// <summary>
/// Encrypts secrets a service must be able to read back (a webhook's signing secret: a hash would not do) with AES-256-GCM
/// under the configured key. Stored as version byte, 12-byte nonce, 16-byte tag, ciphertext. The associated data binds a
/// ciphertext to its row (e.g. the subscription id), so one row's secret copied into another does not decrypt.
/// </summary>
public sealed class SecretBox(IOptions<SecretBoxOptions> options)
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly Lazy<byte[]?> _key = new(() => ParseKey(options.Value.Key));

    public bool HasKey => _key.Value is not null;

    public byte[] Encrypt(string plaintext, string associatedData)
    {
        var key = RequireKey();
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[1 + NonceSize + TagSize + plain.Length];
        sealedBytes[0] = FormatVersion;
        var nonce = sealedBytes.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(1 + NonceSize + TagSize), sealedBytes.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(associatedData));
        return sealedBytes;
    }

    /// <summary>Throws <see cref="CryptographicException"/> when the key is another or the bytes were altered.</summary>
    public string Decrypt(byte[] sealedBytes, string associatedData)
    {
        var key = RequireKey();
        if (sealedBytes.Length < 1 + NonceSize + TagSize || sealedBytes[0] != FormatVersion)
            throw new CryptographicException("The stored secret is not in a format this version can read.");
        var plain = new byte[sealedBytes.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(1, NonceSize), sealedBytes.AsSpan(1 + NonceSize + TagSize), sealedBytes.AsSpan(1 + NonceSize, TagSize), plain,
            Encoding.UTF8.GetBytes(associatedData));
        return Encoding.UTF8.GetString(plain);
    }

    private byte[] RequireKey() => _key.Value ?? throw new InvalidOperationException(
        $"{SecretBoxOptions.Section}:Key is not set: give 32 random bytes as base64 in the environment variable {SecretBoxOptions.Section}__Key.");

    private static byte[]? ParseKey(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var key = new byte[32];
        if (!Convert.TryFromBase64String(value.Trim(), key, out var written) || written != 32)
            throw new InvalidOperationException($"{SecretBoxOptions.Section}:Key must be exactly 32 bytes encoded as base64 (e.g. openssl rand -base64 32).");
        return key;
    }
}
