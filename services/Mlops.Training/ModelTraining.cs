using System.Globalization;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Monitoring;
using Mlops.Hosting.Data;
using Mlops.Training.Trainers;

namespace Mlops.Training;

/// <summary>
/// Trains one model on a pinned feature table version: reads exactly that version, splits it by entity, lets the trainer
/// fit the training split only (an external trainer also sees the validation split, never the holdout), then judges the model
/// as it will be served — loaded through <see cref="ModelFormats"/> and scored by <see cref="IScoringModel"/>, whatever trained
/// it — on the validation and holdout splits, and profiles the training rows for drift monitoring.
/// Writes nothing: registering the outcome is the caller's, in its transaction.
/// </summary>
public sealed class ModelTraining(FeatureStore featureStore, ILogger<ModelTraining> logger)
{
    public const string HoldoutPrefix = "holdout_";

    public async Task<TrainingOutcome> RunAsync(TrainingRequest request, CancellationToken cancellationToken = default)
    {
        var tableName = request.FeatureTable;
        if (!SqlIdentifier.IsValid(tableName))
            throw new TrainingException($"'{tableName}' is not a feature table name: use lower-case letters, digits and underscores.");
        var table = await featureStore.FindTableAsync(tableName, cancellationToken)
            ?? throw new TrainingException($"Feature table '{tableName}' does not exist.");
        if (table.LabelColumn is null)
            throw new TrainingException($"Feature table '{tableName}' has no label column: a classifier needs one to learn from.");
        var version = await featureStore.FindVersionAsync(tableName, request.FeatureVersion, cancellationToken)
            ?? throw new TrainingException($"Feature table '{tableName}' has no version {request.FeatureVersion}.");
        if (version.Environment != request.ModelName.Catalog)
            throw new TrainingException($"Version {request.FeatureVersion} of feature table '{tableName}' belongs to {version.Environment ?? "no environment"}, " +
                $"not to {request.ModelName.Catalog}: a run reads only its own environment's data.");
        var features = SelectFeatures(table, request.Features);

        // Point in time: labels observed apart from the features meet the features as they were at the label's time.
        var frame = await featureStore.ReadTrainingSetAsync(table, request.FeatureVersion, cancellationToken);
        var labels = frame.Labels!;
        for (var row = 0; row < frame.RowCount; row++)
            if (labels[row] is not (0 or 1) && !double.IsNaN(labels[row]))
                throw new TrainingException(
                    $"Label '{table.LabelColumn}' of {tableName} version {request.FeatureVersion} must be 0 or 1 (or null); entity {frame.EntityIds[row]} has {labels[row]}.");

        var split = new DatasetSplit(request.Seed);
        int[] Labelled(Partition partition) => split.Rows(frame.EntityIds, partition).Where(row => !double.IsNaN(labels[row])).ToArray();
        int[] training = Labelled(Partition.Train), validation = Labelled(Partition.Validation), holdout = Labelled(Partition.Holdout);
        RequireBothClasses(training, labels, "training", request);
        RequireBothClasses(validation, labels, "validation", request);

        var trainingRows = frame.Rows(training);
        var trained = await request.Plan.FitAsync(new TrainingData(trainingRows, features, trainingRows.Labels!)
        {
            Validation = frame.Rows(validation), EntityColumn = table.EntityColumn, LabelColumn = table.LabelColumn, Seed = request.Seed,
        }, cancellationToken);
        var (artifact, model) = Finish(trained, request);
        var signature = new ModelSignature { Inputs = model.Inputs };

        IReadOnlyDictionary<string, double> validationMetrics;
        Dictionary<string, double> metrics;
        double[] trainingScores;
        try
        {
            trainingScores = Scores(model, trainingRows, "training");
            validationMetrics = Evaluate(model, frame.Rows(validation), "validation").ToDictionary();
            metrics = new Dictionary<string, double>(validationMetrics);
            if (holdout.Length > 0)
                foreach (var (name, value) in Evaluate(model, frame.Rows(holdout), "holdout").ToDictionary())
                    if (double.IsFinite(value))
                        metrics[HoldoutPrefix + name] = value;
        }
        catch (TrainingException exception)
        {
            throw new TrainingException(exception.Message, exception) { Artifacts = trained.Logs };
        }

        var profile = new ReferenceProfile
        {
            ModelName = request.ModelName.FullName,
            RowCount = training.Length,
            Features = features.Where(f => model.Inputs.Any(i => i.Name == f.Name)).Select(f => f.Type == FeatureType.Numeric
                ? ProfileBuilder.Numeric(f.Name, trainingRows.Numeric[f.Name])
                : ProfileBuilder.Categorical(f.Name, trainingRows.Categorical[f.Name])).ToList(),
            Prediction = ProfileBuilder.Numeric(signature.Output.Name, trainingScores),
            BaselineMetrics = validationMetrics,
        };

        logger.LogInformation(
            "Trained {ModelName} on {FeatureTable} v{FeatureVersion}: {TrainingRows} training, {ValidationRows} validation, {HoldoutRows} holdout rows; validation auc {Auc:F4}",
            request.ModelName.FullName, tableName, request.FeatureVersion, training.Length, validation.Length, holdout.Length, validationMetrics[ClassificationMetrics.AucName]);

        return new TrainingOutcome
        {
            FeatureVersion = version, ModelFormat = model.Format, ModelArtifact = artifact, Signature = signature,
            Metrics = metrics, Diagnostics = trained.Diagnostics, Profile = profile,
            TrainingRows = training.Length, ValidationRows = validation.Length, HoldoutRows = holdout.Length, Logs = trained.Logs,
        };
    }

    /// <summary>
    /// A portable document gets the run's facts in its metadata, as the built-in trainer's always did; an artifact in another
    /// format is kept exactly as written. Either way the model is loaded through <see cref="ModelFormats"/>, as it will be served.
    /// </summary>
    private static (byte[] Artifact, IScoringModel Model) Finish(TrainedModel trained, TrainingRequest request)
    {
        if (trained.Document is null)
        {
            try
            {
                return (trained.Artifact!, ModelFormats.Load(trained.Format, trained.Artifact!));
            }
            catch (InvalidModelException exception)
            {
                throw new TrainingException($"The trained {trained.Format} model cannot be loaded: {exception.Message}", exception) { Artifacts = trained.Logs };
            }
        }
        var document = trained.Document with
        {
            Metadata = new Dictionary<string, string>(trained.Document.Metadata)
            {
                ["trainer"] = request.Trainer,
                ["code_version"] = request.CodeVersion,
                ["feature_table"] = request.FeatureTable,
                ["feature_version"] = request.FeatureVersion.ToString(CultureInfo.InvariantCulture),
                ["seed"] = request.Seed.ToString(CultureInfo.InvariantCulture),
            },
        };
        return (CompiledModel.Serialize(document), CompiledModel.Compile(document));
    }

    /// <summary>
    /// Scores the rows through <see cref="IScoringModel"/>, as Serving and Promotion will. A model that gives no probability
    /// for a row (NaN, or outside [0, 1]) is refused: metrics would silently skip those rows.
    /// </summary>
    private static ClassificationMetrics Evaluate(IScoringModel model, FeatureFrame rows, string split)
    {
        var threshold = model is CompiledModel portable ? portable.Document.DecisionThreshold : 0.5;
        return ClassificationMetrics.Compute(rows.Labels!, Scores(model, rows, split), threshold);
    }

    private static double[] Scores(IScoringModel model, FeatureFrame rows, string split)
    {
        double[] scores;
        try
        {
            scores = model.Score(rows);
        }
        catch (InvalidModelException exception)
        {
            throw new TrainingException($"The model cannot score the {split} rows: {exception.Message}", exception);
        }
        var bad = scores.Count(s => !(s >= 0 && s <= 1));
        if (bad > 0)
            throw new TrainingException($"The model scored {bad} of {scores.Length} {split} rows as no probability (NaN or outside [0, 1]).");
        return scores;
    }

    private static IReadOnlyList<FeatureColumn> SelectFeatures(FeatureTableDefinition table, IReadOnlyList<string>? wanted)
    {
        if (wanted is null)
            return table.Columns;
        var unknown = wanted.FirstOrDefault(name => table.Columns.All(c => c.Name != name));
        if (unknown is not null)
            throw new TrainingException(
                $"Parameter 'features' names '{unknown}', which feature table '{table.Name}' does not have; it has: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
        // The table's order, not the parameter's: the same subset always makes the same model.
        return table.Columns.Where(c => wanted.Contains(c.Name)).ToList();
    }

    private static void RequireBothClasses(int[] rows, double[] labels, string split, TrainingRequest request)
    {
        var positives = rows.Count(row => labels[row] == 1);
        if (positives == 0 || positives == rows.Length)
            throw new TrainingException(
                $"The {split} split of {request.FeatureTable} version {request.FeatureVersion} (seed {request.Seed}) has {rows.Length} labelled rows, " +
                $"{(rows.Length == 0 ? "none" : positives == 0 ? "all of class 0" : "all of class 1")}: a classifier needs both classes to learn and to be judged.");
    }
}
