using System.ComponentModel.DataAnnotations;

namespace Mlops.Api;

public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Refusals of one principal within <see cref="RefusalWindow"/> that raise a SecurityAlert.</summary>
    [Range(1, 10_000)]
    public int RefusalsBeforeAlert { get; set; } = 5;

    public TimeSpan RefusalWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a token lives when its creator does not say; and the longest anyone may ask for.</summary>
    public TimeSpan DefaultTokenLifetime { get; set; } = TimeSpan.FromDays(90);

    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromDays(366);

    /// <summary>How often a followed run (server-sent events) is looked at again.</summary>
    public TimeSpan FollowPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The largest file one landing may send (POST /api/raw/tables/{name}/batches); a larger one is refused with 413.</summary>
    [Range(1, long.MaxValue)]
    public long MaxLandingBytes { get; set; } = 1L << 30;

    /// <summary>Whether POST /api/bootstrap may create the first admin (it refuses anyway once any admin exists).</summary>
    public bool AllowBootstrap { get; set; } = true;
}
