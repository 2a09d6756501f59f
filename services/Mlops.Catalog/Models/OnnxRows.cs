using System.Globalization;
using Mlops.Catalog.Features;

namespace Mlops.Catalog.Models;

/// <summary>Rows to score, read by signature input index: a frame's columns, or the values of one request row.</summary>
internal sealed class OnnxRows
{
    private readonly double[]?[] _numbers;
    private readonly string?[]?[] _texts;
    private readonly IReadOnlyList<object?>? _row;

    private OnnxRows(int count, double[]?[] numbers, string?[]?[] texts, IReadOnlyList<object?>? row)
    {
        Count = count;
        _numbers = numbers;
        _texts = texts;
        _row = row;
    }

    public int Count { get; }

    /// <summary>One row: a double (NaN for null) per double input, a string (or null) per string input, as CompiledModel takes them.</summary>
    public static OnnxRows Single(IReadOnlyList<object?> values) => new(1, [], [], values);

    public static OnnxRows Of(FeatureFrame frame, IReadOnlyList<SignatureColumn> inputs)
    {
        var numbers = new double[]?[inputs.Count];
        var texts = new string?[]?[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            if (input.Type == SignatureColumn.Double && frame.Numeric.TryGetValue(input.Name, out var numeric))
                numbers[i] = numeric;
            else if (input.Type == SignatureColumn.String && frame.Categorical.TryGetValue(input.Name, out var categorical))
                texts[i] = categorical;
            else
                throw new InvalidModelException($"The data has no {input.Type} column {input.Name} that the model needs.");
        }
        return new OnnxRows(frame.RowCount, numbers, texts, null);
    }

    public double Number(int input, int row) =>
        _row is null
            ? _numbers[input]![row]
            : _row[input] switch
            {
                double d => d,
                null => double.NaN,
                IConvertible convertible => convertible.ToDouble(CultureInfo.InvariantCulture),
                _ => double.NaN,
            };

    public string? Text(int input, int row) => _row is null ? _texts[input]![row] : _row[input] as string;
}
