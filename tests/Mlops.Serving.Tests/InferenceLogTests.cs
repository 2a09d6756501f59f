using Microsoft.Extensions.Options;
using Mlops.Hosting.Data;
using Mlops.Serving.Inference;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class When_the_inference_log_is_full
{
    [Fact]
    public async Task A_request_waits_a_bounded_time_for_room_and_gets_it_when_rows_are_written()
    {
        var log = new InferenceLog(Options.Create(new ServingOptions { InferenceLog = new InferenceLogOptions { Capacity = 3 } }), TimeProvider.System);
        Assert.True(await log.TryReserveAsync(2, TimeSpan.Zero, CancellationToken.None));

        Assert.False(await log.TryReserveAsync(2, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        var waiting = log.TryReserveAsync(2, TimeSpan.FromSeconds(30), CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        log.Release(2);

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, log.Pending);
    }

    [Fact]
    public async Task A_closed_log_refuses_at_once()
    {
        var log = new InferenceLog(Options.Create(new ServingOptions()), TimeProvider.System);
        log.Complete();

        Assert.False(await log.TryReserveAsync(1, TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.True(log.IsClosed);
    }

    [Fact]
    public void A_rejected_row_is_escaped_into_text_any_column_takes()
    {
        Assert.Equal("a\\u0000b\\ud800c😀", StorableText.Of("a\0b\ud800c😀"));
    }
}
