using Mlops.Catalog.Models;
using Mlops.Contracts;
using Mlops.Testing;
using Xunit;
using static Mlops.Monitoring.Tests.ClosedLoop.MonitoringHosts;

namespace Mlops.Monitoring.Tests.ClosedLoop;

public sealed class When_labels_land(MonitoringHosts hosts) : IClassFixture<MonitoringHosts>
{
    [Fact]
    public async Task An_accuracy_drop_of_more_than_five_points_raises_ModelPerformanceDegraded()
    {
        const string model = "dev.ml.churn_degraded";
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));
        var windows = new[] { ChurnTraffic.Window(seed: 50, Window(0), rows: 500).ToList(), ChurnTraffic.Window(seed: 51, Window(1), rows: 500).ToList() };
        await hosts.WaitCountedAsync(await hosts.LogBatchAsync(model, windows[0]), await hosts.LogBatchAsync(model, windows[1]));
        await hosts.MonitorAsync(model);
        Assert.Equal(0, await hosts.PublishedAsync<ModelPerformanceDegraded>(model));

        var labels = windows.Select(rows => Labels(rows, wrongShare: 0.4, seed: rows.Count)).ToList();
        await LandAsync(model, [.. labels.SelectMany(l => l), new GroundTruthLabel { RequestId = Guid.NewGuid(), RowIndex = 0, Label = 1 }]);
        await hosts.MonitorAsync(model);

        var degraded = Assert.Single(await hosts.Events.WaitAsync<ModelPerformanceDegraded>(d => d.ModelName == model));
        var accuracy = Accuracy(windows[1], labels[1]);
        Assert.Equal(("accuracy", 1, ChurnTraffic.BaselineAccuracy, 0.05, 500), (degraded.Metric, degraded.ModelVersion, degraded.Baseline, degraded.Threshold, degraded.LabeledRows));
        Assert.Equal(accuracy, degraded.Value, 1e-12);
        Assert.Equal(ChurnTraffic.BaselineAccuracy - accuracy, degraded.Drop, 1e-12);
        Assert.True(degraded.Drop > 0.05, $"drop {degraded.Drop}");
        Assert.Equal(new DateTimeOffset(Window(1).Start), degraded.WindowStart);
        Assert.Equal(1, await hosts.PublishedAsync<ModelPerformanceDegraded>(model));

        var auc = (await hosts.ResultsAsync(model)).Single(r => r.WindowStart == Window(1).Start && r.Metric == "auc");
        var expected = ClassificationMetrics.Compute([.. labels[1].Select(l => l.Label)], [.. windows[1].Select(r => r.Prediction)]);
        Assert.Equal(expected.Auc, auc.Value!.Value, 1e-12);
        Assert.Equal((ChurnTraffic.BaselineAuc, "measured", 500L), (auc.Baseline, auc.Status, auc.SampleSize));
    }

    [Fact]
    public async Task A_label_that_arrives_before_its_prediction_is_kept_and_joins_it_once_logged()
    {
        const string model = "dev.ml.churn_labels_first";
        await hosts.Log.SaveReferenceAsync(model, 1, ChurnTraffic.Reference(model));
        var rows = ChurnTraffic.Window(seed: 60, Window(5), rows: 200).ToList();
        var labels = Labels(rows, wrongShare: 0, seed: 60);

        await LandAsync(model, labels);
        Assert.Empty(await hosts.WindowsAsync(model));
        await hosts.WaitCountedAsync(await hosts.LogBatchAsync(model, rows));
        await hosts.MonitorAsync(model);

        var accuracy = (await hosts.ResultsAsync(model)).Single(r => r.Metric == "accuracy");
        Assert.Equal(("ok", 1.0, 200L), (accuracy.Status, accuracy.Value, accuracy.SampleSize));
    }

    [Fact]
    public async Task Labels_other_than_0_or_1_are_refused_and_none_of_the_message_is_stored()
    {
        var requestId = Guid.NewGuid();

        await hosts.PublishAsync(new GroundTruthLanded
        {
            ModelName = "dev.ml.churn_bad_labels", Environment = "dev", Principal = "labeler",
            Labels = [new GroundTruthLabel { RequestId = requestId, RowIndex = 0, Label = 1 }, new GroundTruthLabel { RequestId = requestId, RowIndex = 1, Label = 0.7 }],
        });

        var errors = await Eventually.WaitAsync(() => hosts.Database.DeadLettersAsync("ground-truth-landed"),
            found => found.Any(m => m.Body.Contains(requestId.ToString())), "the labels in messaging.dead_letters");
        Assert.Contains("labels are 0 or 1", errors.Single(m => m.Body.Contains(requestId.ToString())).Reason);
        Assert.Equal(0, await hosts.Database.ScalarAsync<long>("SELECT count(*) FROM monitoring.ground_truth WHERE request_id = @requestId", new { requestId }));
    }

    /// <summary>The truth for each row: what the model predicted at 0.5, wrong for about <paramref name="wrongShare"/> of the rows.</summary>
    private static IReadOnlyList<GroundTruthLabel> Labels(IReadOnlyList<LoggedPrediction> rows, double wrongShare, int seed)
    {
        var random = new Random(seed);
        return [.. rows.Select(r =>
        {
            var predicted = r.Prediction >= 0.5 ? 1 : 0;
            return new GroundTruthLabel { RequestId = r.RequestId, RowIndex = r.RowIndex, Label = random.NextDouble() < wrongShare ? 1 - predicted : predicted };
        })];
    }

    private static double Accuracy(IReadOnlyList<LoggedPrediction> rows, IReadOnlyList<GroundTruthLabel> labels) =>
        (double)rows.Zip(labels).Count(p => (p.First.Prediction >= 0.5 ? 1 : 0) == p.Second.Label) / rows.Count;

    private async Task LandAsync(string model, IReadOnlyList<GroundTruthLabel> labels)
    {
        await hosts.PublishAsync(new GroundTruthLanded { ModelName = model, Environment = "dev", Principal = "labeler", Labels = labels });
        var requests = labels.Select(l => l.RequestId).Distinct().ToArray();
        await Eventually.WaitAsync(
            () => hosts.Database.ScalarAsync<long>("SELECT count(*) FROM monitoring.ground_truth WHERE request_id = ANY(@requests)", new { requests }),
            stored => stored == labels.Count, $"{labels.Count} labels stored");
    }
}
