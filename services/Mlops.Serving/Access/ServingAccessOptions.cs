using System.ComponentModel.DataAnnotations;

namespace Mlops.Serving.Access;

/// <summary>Serving:Authentication: who may call the serving endpoints, and how refusals and production reads are audited.</summary>
public sealed class ServingAccessOptions : IValidatableObject
{
    public const string Section = "Serving:Authentication";

    /// <summary>Every request needs an <c>mlops_</c> bearer token with the consumer right on the model's catalog. Off only for a closed lab.</summary>
    public bool Required { get; set; } = true;

    /// <summary>
    /// How long a token lookup is reused before identity.tokens is asked again: the window within which a revoked token (or a
    /// changed role) still works on an instance. Expiry is checked on every request.
    /// </summary>
    public TimeSpan TokenCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most cached tokens; past it the cache starts over, so presenting many tokens cannot grow memory without bound.</summary>
    [Range(1, 1_000_000)]
    public int TokenCacheSize { get; set; } = 10_000;

    /// <summary>
    /// A principal's scoring of one production model version is audited once per this window (per instance), not per request:
    /// the audit log says who used which prod version and when, without one chained entry per prediction.
    /// </summary>
    public TimeSpan ReadAuditWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Refusals of one principal within <see cref="RefusalWindow"/> (counted with the API's) that raise a SecurityAlert.</summary>
    [Range(1, 1000)]
    public int RefusalsBeforeAlert { get; set; } = 5;

    public TimeSpan RefusalWindow { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TokenCacheDuration < TimeSpan.Zero || ReadAuditWindow < TimeSpan.Zero)
            yield return new ValidationResult("Serving:Authentication:TokenCacheDuration and ReadAuditWindow must not be negative.");
        if (RefusalWindow <= TimeSpan.Zero)
            yield return new ValidationResult("Serving:Authentication:RefusalWindow must be positive.");
    }
}
