using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Training.Trainers.External;
using Xunit;

namespace Mlops.Training.Tests;

/// <summary>
/// The shipped sklearn trainer, run by hand as docs/trainers.md describes: the model.json it exports, scored by CompiledModel,
/// gives sklearn's own predict_proba within 1e-6 — on ordinary rows, on nulls and unseen categories, and on values placed
/// exactly at, just below and just above every split threshold, where sklearn's "left when float32(x) ≤ t" and the format's
/// "left when x &lt; T" would part if the export got the boundary wrong.
/// </summary>
public sealed class When_sklearn_gradient_boosting_is_exported : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlops-sklearn-parity-").FullName;
    private readonly FeatureFrame _training = SyntheticChurn.Frame(3_000, seed: 11, nullRate: 0.05);

    [Fact]
    public async Task CompiledModel_scores_what_sklearn_predicts_within_1e_6()
    {
        var first = await TrainAsync("first", SyntheticChurn.Frame(500, seed: 12, nullRate: 0.05));
        var boundaries = Boundaries(first.Model);

        var second = await TrainAsync("second", boundaries);

        Assert.Equal(CompiledModel.Serialize(first.Model.Document), CompiledModel.Serialize(second.Model.Document));
        Assert.True(boundaries.RowCount > 100, $"Only {boundaries.RowCount} boundary rows");
        foreach (var (rows, predictions) in new[] { (SyntheticChurn.Frame(500, seed: 12, nullRate: 0.05), first.Predictions), (boundaries, second.Predictions) })
        {
            var scores = first.Model.Score(rows);
            for (var row = 0; row < rows.RowCount; row++)
                Assert.True(Math.Abs(scores[row] - predictions[rows.EntityIds[row]]) <= 1e-6,
                    $"Entity {rows.EntityIds[row]} ({rows.Value("tenure_months", row)}, {rows.Value("monthly_charges", row)}, {rows.Value("contract_type", row)}): " +
                    $"CompiledModel {scores[row]:R}, sklearn {predictions[rows.EntityIds[row]]:R}");
        }
    }

    [Fact]
    public async Task The_export_is_a_logistic_sum_ensemble_over_the_inputs_it_was_given()
    {
        var (model, _) = await TrainAsync("shape", SyntheticChurn.Frame(200, seed: 13));

        Assert.Equal((ModelDocument.TreeEnsembleKind, TreeEnsembleParameters.LogisticSum), (model.Document.Kind, model.Document.TreeEnsemble!.Aggregation));
        Assert.Equal(25, model.Document.TreeEnsemble.Trees.Count);
        Assert.Equal(["tenure_months", "monthly_charges", "contract_type=month_to_month", "contract_type=one_year", "contract_type=two_year"], model.DesignColumns);
        // Nulls are imputed with the training median, as sklearn was given them.
        var tenure = model.Document.Encodings.Single(e => e.Input == "tenure_months");
        Assert.Equal("identity", tenure.Kind);
        Assert.NotNull(tenure.Impute);
    }

    /// <summary>Rows that put one numeric input at each threshold T, at the doubles next to it, and at the float32 values around it.</summary>
    private static FeatureFrame Boundaries(CompiledModel model)
    {
        var thresholds = model.Document.TreeEnsemble!.Trees.SelectMany(t => t.Nodes)
            .Where(n => n.Feature is "tenure_months" or "monthly_charges").Select(n => (n.Feature!, n.Threshold!.Value)).Distinct().ToList();
        var rows = new List<(double Tenure, double Charges, string? Contract)>();
        foreach (var (feature, threshold) in thresholds)
        {
            var below32 = (double)MathF.BitDecrement((float)threshold);
            foreach (var value in new[] { threshold, Math.BitDecrement(threshold), Math.BitIncrement(threshold), (double)(float)threshold, below32,
                         (below32 + threshold) / 2, Math.BitDecrement(Math.BitDecrement(threshold)) })
            foreach (var contract in new[] { "month_to_month", "two_year", null, "weekly" })
                rows.Add(feature == "tenure_months" ? (value, 70.0, contract) : (24.0, value, contract));
        }
        rows.Add((double.NaN, double.NaN, null));
        return new FeatureFrame(SyntheticChurn.Table("parity").Columns, rows.Select((_, i) => 100_000L + i).ToArray(),
            new Dictionary<string, double[]> { ["tenure_months"] = rows.Select(r => r.Tenure).ToArray(), ["monthly_charges"] = rows.Select(r => r.Charges).ToArray() },
            new Dictionary<string, string?[]> { ["contract_type"] = rows.Select(r => r.Contract).ToArray() },
            rows.Select((_, i) => (double)(i % 2)).ToArray());
    }

    private async Task<(CompiledModel Model, Dictionary<long, double> Predictions)> TrainAsync(string name, FeatureFrame validation)
    {
        var work = Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;
        var output = Directory.CreateDirectory(Path.Combine(work, "output")).FullName;
        var features = SyntheticChurn.Table("parity").Columns;
        string train = Path.Combine(work, "train.csv"), validationFile = Path.Combine(work, "validation.csv"), parameters = Path.Combine(work, "params.json");
        await TrainingSetFiles.WriteAsync(train, "csv", _training, features, "customer_id", "churned", CancellationToken.None);
        await TrainingSetFiles.WriteAsync(validationFile, "csv", validation, features, "customer_id", "churned", CancellationToken.None);
        await File.WriteAllTextAsync(parameters, JsonSerializer.Serialize(new
        {
            entity_column = "customer_id", label_column = "churned", seed = 7, data_format = "csv",
            features = new[] { new { name = "tenure_months", type = "double" }, new { name = "monthly_charges", type = "double" }, new { name = "contract_type", type = "string" } },
            parameters = new Dictionary<string, string> { ["n_estimators"] = "25", ["max_depth"] = "4", ["learning_rate"] = "0.3" },
        }));

        var start = new ProcessStartInfo(ExternalTrainerEnvironment.Python)
        {
            ArgumentList =
            {
                Path.Combine(ExternalTrainerEnvironment.TrainersDirectory, "sklearn_gbt", "train.py"), "--train", train, "--validation", validationFile,
                "--params", parameters, "--output", output,
            },
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"train.py exited with {process.ExitCode}: {await stderr}");

        var predictions = File.ReadLines(Path.Combine(output, "validation_predictions.csv")).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(f => long.Parse(f[0], CultureInfo.InvariantCulture), f => double.Parse(f[1], CultureInfo.InvariantCulture));
        return (CompiledModel.Load(await File.ReadAllBytesAsync(Path.Combine(output, "model.json"))), predictions);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
