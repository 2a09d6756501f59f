using Mlops.Notifications.Delivery;
using Xunit;

namespace Mlops.Notifications.Tests;

public sealed class When_a_signature_is_computed
{
    // The test vector of docs/webhooks.md, computed with `openssl dgst -sha256 -hmac`.
    private const string Secret = "whsec_test_secret_0123456789abcdef";
    private static readonly Guid DeliveryId = Guid.Parse("2f1b8d3c-6a0e-4c5e-9d7a-0b1c2d3e4f50");
    private const long Timestamp = 1764374400;
    private const string Body = """{"id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","type":"run.finished"}""";
    private const string Expected = "v1=c0a4c00581669d2b668d01e2378a5579b85f38ccd38a37d977591e539c0b8ec0";

    [Fact]
    public void It_matches_the_documented_test_vector()
    {
        Assert.Equal(Expected, WebhookSignature.Sign(Secret, DeliveryId, Timestamp, Body));
        Assert.True(WebhookSignature.Verify(Secret, DeliveryId.ToString(), Timestamp.ToString(), Body, Expected));
    }

    [Theory]
    [InlineData(Body + " ", "1764374400", Expected)]
    [InlineData(Body, "1764374401", Expected)]
    [InlineData(Body, "1764374400", "v1=C0A4C00581669D2B668D01E2378A5579B85F38CCD38A37D977591E539C0B8EC0")]
    [InlineData(Body, "1764374400", "c0a4c00581669d2b668d01e2378a5579b85f38ccd38a37d977591e539c0b8ec0")]
    [InlineData(Body, "not-a-number", Expected)]
    [InlineData(Body, "1764374400", "")]
    public void Any_change_fails_verification(string body, string timestamp, string signature) =>
        Assert.False(WebhookSignature.Verify(Secret, DeliveryId.ToString(), timestamp, body, signature));

    [Theory]
    [InlineData(200, DeliveryOutcome.Delivered)]
    [InlineData(204, DeliveryOutcome.Delivered)]
    [InlineData(301, DeliveryOutcome.Refused)]
    [InlineData(400, DeliveryOutcome.Refused)]
    [InlineData(401, DeliveryOutcome.Refused)]
    [InlineData(404, DeliveryOutcome.Refused)]
    [InlineData(408, DeliveryOutcome.Transient)]
    [InlineData(410, DeliveryOutcome.Gone)]
    [InlineData(425, DeliveryOutcome.Transient)]
    [InlineData(429, DeliveryOutcome.Transient)]
    [InlineData(500, DeliveryOutcome.Transient)]
    [InlineData(503, DeliveryOutcome.Transient)]
    public void An_answer_is_classified(int status, DeliveryOutcome outcome) =>
        Assert.Equal(outcome, DeliveryClassifier.Classify((System.Net.HttpStatusCode)status));

    [Fact]
    public void The_backoff_doubles_up_to_its_maximum()
    {
        var options = new DeliveryOptions { RetryInitial = TimeSpan.FromSeconds(10), RetryMax = TimeSpan.FromHours(1) };

        Assert.Equal(
            [10, 20, 40, 80, 3600, 3600],
            new[] { 1, 2, 3, 4, 20, 1000 }.Select(attempt => DeliveryClassifier.Backoff(attempt, options, jitter: 0).TotalSeconds));
        Assert.Equal(12, DeliveryClassifier.Backoff(1, options, jitter: 1).TotalSeconds);
    }
}
