namespace Mlops.Notifications.Delivery;

/// <summary>What one attempt to send a delivery came to.</summary>
public enum DeliveryOutcome
{
    /// <summary>2xx: done.</summary>
    Delivered,

    /// <summary>Timeout, connection refused or reset, 408, 425, 429, 5xx: tried again after a backoff, until Webhooks:Delivery:GiveUpAfter.</summary>
    Transient,

    /// <summary>Any other answer (3xx, 4xx): the receiver refuses this delivery; it is marked failed and the next one goes.</summary>
    Refused,

    /// <summary>410 Gone: the receiver says the endpoint is gone for good; the subscription is disabled.</summary>
    Gone,
}
