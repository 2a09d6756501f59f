using MathNet.Numerics.LinearAlgebra;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;

namespace Mlops.Training.Trainers.LogisticRegression;

/// <summary>
/// The preprocessing of the built-in logistic regression, fitted on the training rows and written into the model document
/// exactly as <see cref="CompiledModel"/> applies it: each numeric input standardised with its training mean and standard
/// deviation (nulls imputed with the mean, so they encode to 0), each categorical input one-hot over the categories training
/// saw (the <c>maxCategories</c> most frequent), a null or unseen category encoding to all zeros.
/// </summary>
public sealed class DesignEncoding
{
    private DesignEncoding(IReadOnlyList<SignatureColumn> inputs, IReadOnlyList<InputEncoding> encodings, IReadOnlyList<string> columns)
    {
        Inputs = inputs;
        Encodings = encodings;
        Columns = columns;
    }

    public IReadOnlyList<SignatureColumn> Inputs { get; }

    public IReadOnlyList<InputEncoding> Encodings { get; }

    /// <summary>The design columns, named as the model format names them (<c>input</c>, <c>input=category</c>).</summary>
    public IReadOnlyList<string> Columns { get; }

    public static DesignEncoding Fit(TrainingData data, int maxCategories)
    {
        var inputs = new List<SignatureColumn>();
        var encodings = new List<InputEncoding>();
        var columns = new List<string>();
        foreach (var feature in data.Features)
        {
            if (feature.Type == FeatureType.Numeric)
            {
                var present = data.Rows.Numeric[feature.Name].Where(double.IsFinite).ToArray();
                if (present.Length == 0)
                    throw new TrainingException($"Feature '{feature.Name}' has no values in the training split; leave it out with the 'features' parameter.");
                var mean = present.Average();
                var deviation = Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / present.Length);
                inputs.Add(new SignatureColumn(feature.Name, SignatureColumn.Double));
                encodings.Add(new InputEncoding
                {
                    Input = feature.Name, Kind = InputEncoding.Standardize, Center = mean,
                    // A constant column standardises to 0 everywhere: it carries nothing to learn and must not divide by zero.
                    Scale = deviation > 0 ? deviation : 1, Impute = mean,
                });
                columns.Add(feature.Name);
            }
            else
            {
                var categories = data.Rows.Categorical[feature.Name].OfType<string>()
                    .GroupBy(c => c, StringComparer.Ordinal)
                    .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                    .Take(maxCategories)
                    .Select(g => g.Key)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (categories.Count == 0)
                    throw new TrainingException($"Feature '{feature.Name}' has no values in the training split; leave it out with the 'features' parameter.");
                inputs.Add(new SignatureColumn(feature.Name, SignatureColumn.String));
                encodings.Add(new InputEncoding { Input = feature.Name, Kind = InputEncoding.OneHot, Categories = categories });
                columns.AddRange(categories.Select(c => $"{feature.Name}={c}"));
            }
        }
        return new DesignEncoding(inputs, encodings, columns);
    }

    /// <summary>The design matrix of <paramref name="rows"/>: a leading column of ones for the intercept, then <see cref="Columns"/>.</summary>
    public Matrix<double> Encode(FeatureFrame rows)
    {
        var n = rows.RowCount;
        var values = new double[n * (Columns.Count + 1)];
        Array.Fill(values, 1.0, 0, n);
        var offset = n;
        foreach (var encoding in Encodings)
        {
            if (encoding.Kind == InputEncoding.Standardize)
            {
                var source = rows.Numeric[encoding.Input];
                double center = encoding.Center!.Value, scale = encoding.Scale!.Value, impute = encoding.Impute!.Value;
                for (var i = 0; i < n; i++)
                    values[offset + i] = ((double.IsFinite(source[i]) ? source[i] : impute) - center) / scale;
                offset += n;
            }
            else
            {
                var source = rows.Categorical[encoding.Input];
                var position = encoding.Categories!.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
                for (var i = 0; i < n; i++)
                    if (source[i] is { } category && position.TryGetValue(category, out var column))
                        values[offset + column * n + i] = 1;
                offset += encoding.Categories!.Count * n;
            }
        }
        // Column-major storage: the matrix takes the array as it is, without a copy.
        return Matrix<double>.Build.Dense(n, Columns.Count + 1, values);
    }
}
