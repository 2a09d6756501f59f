using System.Security.Cryptography;
using System.Text;

namespace Mlops.Hosting.Identity;

/// <summary>
/// API tokens: 256 random bits, shown once as <c>mlops_</c> + base64url, stored only as their SHA-256. A fast hash is
/// enough here (unlike passwords): the input has 256 bits of entropy, so there is nothing to guess.
/// </summary>
public static class ApiTokens
{
    public const string Prefix = "mlops_";

    public static (string Token, byte[] Hash) Generate()
    {
        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (token, Hash(token));
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
