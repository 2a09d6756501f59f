using System.Net;

namespace Mlops.Notifications.Delivery;

/// <summary>Sorts a receiver's answer into what happens next (docs/webhooks.md, "Retries").</summary>
public static class DeliveryClassifier
{
    public static DeliveryOutcome Classify(HttpStatusCode status) => (int)status switch
    {
        >= 200 and < 300 => DeliveryOutcome.Delivered,
        410 => DeliveryOutcome.Gone,
        408 or 425 or 429 or >= 500 => DeliveryOutcome.Transient,
        _ => DeliveryOutcome.Refused,
    };

    /// <summary>The wait before attempt <paramref name="attempts"/> + 1: doubling from the initial wait up to the maximum, with up to 20% jitter.</summary>
    public static TimeSpan Backoff(int attempts, DeliveryOptions options, double jitter)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var wait = Math.Min(options.RetryInitial.TotalMilliseconds * Math.Pow(2, exponent), options.RetryMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(wait * (1 + 0.2 * Math.Clamp(jitter, 0, 1)));
    }
}
