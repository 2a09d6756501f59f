using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;

namespace Mlops.Promotion.Tests;

/// <summary>The numbers an evaluation must report, worked out independently of the service.</summary>
public static class Expected
{
    public static async Task<FeatureFrame> HoldoutAsync(IServiceProvider services, int featureVersion, int seed)
    {
        var frame = await services.GetRequiredService<FeatureStore>().ReadVersionAsync(ChurnData.Table, featureVersion);
        var rows = new DatasetSplit(seed).Rows(frame.EntityIds, Partition.Holdout).Where(row => !double.IsNaN(frame.Labels![row])).ToArray();
        return frame.Rows(rows);
    }

    public static double Score(ModelDocument document, FeatureFrame holdout, string metric = "auc") =>
        ClassificationMetrics.Compute(holdout.Labels!, CompiledModel.Compile(document).Score(holdout)).Get(metric);
}
