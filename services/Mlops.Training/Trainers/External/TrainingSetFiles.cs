using System.Globalization;
using CsvHelper;
using Mlops.Catalog.Features;
using Parquet;
using Parquet.Schema;

namespace Mlops.Training.Trainers.External;

/// <summary>
/// Writes a labelled split for an external trainer: the entity key, the features in the table's order, then the label (0 or
/// 1). CSV has a header row, numbers in invariant round-trip form and an empty field for null; Parquet has an int64 key,
/// nullable double and string features and an int32 label.
/// </summary>
public static class TrainingSetFiles
{
    public static string FileName(string split, string dataFormat) => $"{split}.{dataFormat}";

    public static Task WriteAsync(string path, string dataFormat, FeatureFrame rows, IReadOnlyList<FeatureColumn> features, string entityColumn,
        string labelColumn, CancellationToken cancellationToken) => dataFormat switch
    {
        ExternalTrainerOptions.Csv => WriteCsvAsync(path, rows, features, entityColumn, labelColumn, cancellationToken),
        ExternalTrainerOptions.Parquet => WriteParquetAsync(path, rows, features, entityColumn, labelColumn, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(dataFormat), dataFormat, "csv or parquet"),
    };

    private static async Task WriteCsvAsync(string path, FeatureFrame rows, IReadOnlyList<FeatureColumn> features, string entityColumn, string labelColumn,
        CancellationToken cancellationToken)
    {
        await using var csv = CsvWriter.ToFile(path, CsvWriterOptions.Default, FileOptions.None);
        await csv.WriteRecordAsync([entityColumn, .. features.Select(f => f.Name), labelColumn], cancellationToken);
        var labels = rows.Labels!;
        for (var row = 0; row < rows.RowCount; row++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            csv.WriteField(rows.EntityIds[row].ToString(CultureInfo.InvariantCulture));
            foreach (var feature in features)
                csv.WriteField(feature.Type == FeatureType.Numeric ? Number(rows.Numeric[feature.Name][row]) : rows.Categorical[feature.Name][row]);
            csv.WriteField(labels[row].ToString(CultureInfo.InvariantCulture));
            await csv.EndRecordAsync(cancellationToken);
        }
    }

    private static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);

    private static async Task WriteParquetAsync(string path, FeatureFrame rows, IReadOnlyList<FeatureColumn> features, string entityColumn,
        string labelColumn, CancellationToken cancellationToken)
    {
        var entity = new DataField<long>(entityColumn);
        var featureFields = features.Select(f => f.Type == FeatureType.Numeric ? (DataField)new DataField<double?>(f.Name) : new DataField<string>(f.Name, true))
            .ToList();
        var label = new DataField<int>(labelColumn);
        var schema = new ParquetSchema([entity, .. featureFields, label]);

        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, file, cancellationToken: cancellationToken);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<long>(entity, rows.EntityIds, cancellationToken: cancellationToken);
        for (var i = 0; i < features.Count; i++)
        {
            var feature = features[i];
            if (feature.Type == FeatureType.Numeric)
                await group.WriteAsync<double>(featureFields[i], rows.Numeric[feature.Name].Select(v => double.IsNaN(v) ? (double?)null : v).ToArray(),
                    cancellationToken: cancellationToken);
            else
                await group.WriteAsync(featureFields[i], rows.Categorical[feature.Name]!);
        }
        await group.WriteAsync<int>(label, rows.Labels!.Select(l => (int)l).ToArray(), cancellationToken: cancellationToken);
    }
}
