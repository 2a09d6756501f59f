using Mlops.Catalog.Monitoring;
using Mlops.Monitoring.Windows;

namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>What a window should hold, counted by the test straight from the rows it generated (shadow rows left out, as nobody was served them).</summary>
public sealed class ExpectedWindow(ReferenceProfile profile)
{
    public WindowHistograms Histograms { get; } = MonitoredVersion.From(profile.ModelName, 1, profile).NewHistograms();

    public long Rows { get; private set; }

    public ExpectedWindow Add(IEnumerable<LoggedPrediction> rows)
    {
        foreach (var row in rows.Where(r => !r.Shadow))
        {
            Rows++;
            Histograms.Prediction.Add(row.Prediction);
            Histograms.Numeric["tenure"].Add(row.Tenure);
            Histograms.Numeric["monthly_charges"].Add(row.MonthlyCharges);
            Histograms.Categorical["plan"].Add(row.Plan);
        }
        return this;
    }
}
