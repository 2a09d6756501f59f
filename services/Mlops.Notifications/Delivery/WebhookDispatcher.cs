using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Secrets;

namespace Mlops.Notifications.Delivery;

/// <summary>
/// Sends due deliveries: claims the head of each active subscription's sequence, signs it and POSTs it, all subscriptions
/// at once, then records the outcome (<see cref="DeliveryClassifier"/>). Wakes when new deliveries commit, else every
/// <see cref="DeliveryOptions.PollInterval"/>. A database failure is retried by a later loop; a crash mid-send leaves the
/// lease to expire and the delivery is sent again (receivers dedupe by Mlops-Webhook-Id).
/// </summary>
public sealed partial class WebhookDispatcher(DeliveryStore store, SecretBox secrets, IHttpClientFactory clients, DeliverySignal signal,
    IOptions<DeliveryOptions> options, TimeProvider clock, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                var batch = await store.ClaimAsync(settings.BatchSize, settings.LeaseDuration, stoppingToken);
                claimed = batch.Count;
                await Task.WhenAll(batch.Select(delivery => SendAsync(delivery, settings, stoppingToken)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (TransientFailures.IsTransient(exception))
            {
                LogDatabaseUnavailable(logger, exception);
            }
            catch (Exception exception)
            {
                // Not transient (e.g. a right the service's role lacks): said loudly, and tried again after the poll interval
                // rather than stopping the service; the deliveries wait in the table meanwhile.
                LogDispatchFailed(logger, exception);
            }

            if (claimed == 0)
            {
                try
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task SendAsync(ClaimedDelivery delivery, DeliveryOptions settings, CancellationToken stoppingToken)
    {
        string secret;
        try
        {
            secret = secrets.Decrypt(delivery.SecretEncrypted, delivery.SubscriptionId.ToString("D"));
        }
        catch (Exception exception) when (exception is CryptographicException or InvalidOperationException)
        {
            // Another key than the one the secret was sealed with: every attempt would fail alike until an operator fixes the key.
            await store.RetryLaterAsync(delivery, null, "the subscription's secret cannot be decrypted with Secrets:Key: " + exception.Message,
                settings.RetryMax, settings.GiveUpAfter, stoppingToken);
            LogUndecryptable(logger, delivery.SubscriptionId);
            return;
        }

        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.IdHeader, delivery.Id.ToString("D"));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, delivery.Id, timestamp, delivery.Body));
        request.Headers.Add(WebhookSignature.EventHeader, delivery.EventType);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Mlops-Webhooks", "1"));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(settings.Timeout);
        int? status = null;
        string error;
        DeliveryOutcome outcome;
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            outcome = DeliveryClassifier.Classify(response.StatusCode);
            error = outcome == DeliveryOutcome.Delivered ? "" : $"the receiver answered {status} {response.ReasonPhrase}";
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            outcome = DeliveryOutcome.Transient;
            error = $"no answer within {settings.Timeout}";
        }
        catch (HttpRequestException exception)
        {
            outcome = DeliveryOutcome.Transient;
            error = exception.Message;
        }

        // Recorded even while stopping: the attempt happened.
        switch (outcome)
        {
            case DeliveryOutcome.Delivered:
                await store.DeliveredAsync(delivery, status!.Value, CancellationToken.None);
                break;
            case DeliveryOutcome.Transient:
                var retryIn = DeliveryClassifier.Backoff(delivery.Attempts, settings, Random.Shared.NextDouble());
                await store.RetryLaterAsync(delivery, status, error, retryIn, settings.GiveUpAfter, CancellationToken.None);
                LogRetry(logger, delivery.Id, delivery.SubscriptionId, delivery.Attempts, error, retryIn);
                break;
            case DeliveryOutcome.Gone:
                await store.GoneAsync(delivery, error, CancellationToken.None);
                LogGone(logger, delivery.SubscriptionId, delivery.Url);
                break;
            default:
                await store.FailedAsync(delivery, status, error, CancellationToken.None);
                LogRefused(logger, delivery.Id, delivery.SubscriptionId, error);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook dispatcher cannot reach the database; trying again")]
    private static partial void LogDatabaseUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook dispatcher failed; trying again after the poll interval")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The secret of webhook subscription {SubscriptionId} cannot be decrypted: is Secrets:Key the key it was stored with?")]
    private static partial void LogUndecryptable(ILogger logger, Guid subscriptionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {DeliveryId} of subscription {SubscriptionId} failed (attempt {Attempt}: {Error}); next attempt in {RetryIn}")]
    private static partial void LogRetry(ILogger logger, Guid deliveryId, Guid subscriptionId, int attempt, string error, TimeSpan retryIn);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook subscription {SubscriptionId} disabled: {Url} answered 410 Gone")]
    private static partial void LogGone(ILogger logger, Guid subscriptionId, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} of subscription {SubscriptionId} refused for good: {Error}")]
    private static partial void LogRefused(ILogger logger, Guid deliveryId, Guid subscriptionId, string error);
}
