using Microsoft.Extensions.Options;
using Mlops.Serving.Inference;
using Xunit;

namespace Mlops.Serving.Tests;

public sealed class When_the_inference_log_is_full
{
    [Fact]
    public async Task A_request_waits_for_room_instead_of_dropping_its_row()
    {
        var log = new InferenceLog(Options.Create(new ServingOptions { InferenceLog = new InferenceLogOptions { Capacity = 2 } }));
        await log.WriteAsync(Record(0), CancellationToken.None);
        await log.WriteAsync(Record(1), CancellationToken.None);

        var third = log.WriteAsync(Record(2), CancellationToken.None).AsTask();
        Assert.False(third.IsCompleted);

        Assert.True(log.Reader.TryRead(out var first));
        await third.WaitAsync(TimeSpan.FromSeconds(10));
        var remaining = new List<int>();
        while (log.Reader.TryRead(out var record))
            remaining.Add(record.RowIndex);

        Assert.Equal(0, first!.RowIndex);
        Assert.Equal([1, 2], remaining);
    }

    private static InferenceRecord Record(int row) => new(Guid.NewGuid(), row, "dev.ml.x", 1, false, "{}", 0.5, 1, DateTimeOffset.UtcNow);
}
