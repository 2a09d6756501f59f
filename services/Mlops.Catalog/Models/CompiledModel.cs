using System.Text;
using System.Text.Json;
using Mlops.Catalog.Features;

namespace Mlops.Catalog.Models;

/// <summary>
/// A model document checked and turned into arrays, ready to score. Compiling rejects a document that names unknown
/// inputs or design columns, so scoring itself cannot meet a surprise. Immutable and thread-safe.
/// </summary>
public sealed class CompiledModel : IScoringModel
{
    private readonly Encoder[] _encoders;
    private readonly int _designWidth;
    private readonly double _intercept;
    private readonly double[]? _coefficients;
    private readonly CompiledTree[]? _trees;
    private readonly bool _treeMean;
    private readonly double _baseScore;

    private CompiledModel(ModelDocument document)
    {
        Document = document;
        Inputs = document.Signature.Inputs;
        if (document.Format != ModelDocument.CurrentFormat)
            throw new InvalidModelException($"Unknown model format '{document.Format}'; this version reads {ModelDocument.CurrentFormat}.");
        if (Inputs.Count == 0)
            throw new InvalidModelException("The model's signature has no inputs.");
        if (Inputs.Select(i => i.Name).Distinct().Count() != Inputs.Count)
            throw new InvalidModelException("The model's signature names an input twice.");

        var designColumns = new List<string>();
        _encoders = Inputs.Select((input, index) =>
        {
            if (input.Type is not (SignatureColumn.Double or SignatureColumn.String))
                throw new InvalidModelException($"Input {input.Name} has type '{input.Type}'; expected double or string.");
            var encoding = document.Encodings.FirstOrDefault(e => e.Input == input.Name)
                ?? (input.Type == SignatureColumn.Double
                    ? new InputEncoding { Input = input.Name, Kind = InputEncoding.Identity }
                    : throw new InvalidModelException($"String input {input.Name} needs a one_hot encoding."));
            var encoder = Encoder.Create(index, input, encoding, designColumns.Count);
            designColumns.AddRange(encoder.Columns);
            return encoder;
        }).ToArray();
        foreach (var encoding in document.Encodings)
            if (Inputs.All(i => i.Name != encoding.Input))
                throw new InvalidModelException($"An encoding names {encoding.Input}, which is not an input.");

        DesignColumns = designColumns;
        _designWidth = designColumns.Count;
        var index = designColumns.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i);

        switch (document.Kind)
        {
            case ModelDocument.LogisticRegressionKind:
                var lr = document.LogisticRegression ?? throw new InvalidModelException("A logistic_regression model needs logisticRegression parameters.");
                _intercept = Finite(lr.Intercept, "the intercept");
                _coefficients = new double[_designWidth];
                foreach (var (column, weight) in lr.Coefficients)
                {
                    if (!index.TryGetValue(column, out var position))
                        throw new InvalidModelException($"Coefficient '{column}' names no design column; known: {string.Join(", ", designColumns)}.");
                    _coefficients[position] = Finite(weight, $"coefficient {column}");
                }
                break;
            case ModelDocument.TreeEnsembleKind:
                var ensemble = document.TreeEnsemble ?? throw new InvalidModelException("A tree_ensemble model needs treeEnsemble parameters.");
                if (ensemble.Aggregation is not (TreeEnsembleParameters.LogisticSum or TreeEnsembleParameters.Mean))
                    throw new InvalidModelException($"Unknown tree aggregation '{ensemble.Aggregation}'.");
                if (ensemble.Trees.Count == 0)
                    throw new InvalidModelException("A tree_ensemble model needs at least one tree.");
                _treeMean = ensemble.Aggregation == TreeEnsembleParameters.Mean;
                _baseScore = Finite(ensemble.BaseScore, "the base score");
                _trees = ensemble.Trees.Select((tree, t) => CompiledTree.Compile(tree, t, index)).ToArray();
                break;
            default:
                throw new InvalidModelException($"Unknown model kind '{document.Kind}'; expected logistic_regression or tree_ensemble.");
        }
    }

    public ModelDocument Document { get; }

    public string Format => ModelFormats.Portable;

    public IReadOnlyList<SignatureColumn> Inputs { get; }

    public IReadOnlyList<string> DesignColumns { get; }

    public static CompiledModel Compile(ModelDocument document) => new(document);

    public static CompiledModel Load(byte[] json)
    {
        ModelDocument document;
        try
        {
            document = CatalogJson.Deserialize<ModelDocument>(Encoding.UTF8.GetString(json));
        }
        catch (JsonException exception)
        {
            throw new InvalidModelException($"The model artifact is not a valid model document: {exception.Message}", exception);
        }
        return Compile(document);
    }

    public static byte[] Serialize(ModelDocument document) => Encoding.UTF8.GetBytes(CatalogJson.Serialize(document));

    /// <summary>
    /// The probability for one row: <paramref name="values"/> holds one value per input, in signature order — a double
    /// (NaN for null) for double inputs, a string (or null) for string inputs.
    /// </summary>
    public double Score(IReadOnlyList<object?> values)
    {
        if (values.Count != Inputs.Count)
            throw new ArgumentException($"Expected {Inputs.Count} input values, got {values.Count}.");
        Span<double> design = _designWidth <= 256 ? stackalloc double[_designWidth] : new double[_designWidth];
        design.Clear();
        foreach (var encoder in _encoders)
            encoder.Encode(values[encoder.InputIndex], design);
        return ScoreDesign(design);
    }

    /// <summary>Scores every row of a frame that carries all the model's inputs.</summary>
    public double[] Score(FeatureFrame frame)
    {
        var columns = Inputs.Select(input =>
        {
            if (input.Type == SignatureColumn.Double && frame.Numeric.TryGetValue(input.Name, out var numeric))
                return (Func<int, object?>)(row => numeric[row]);
            if (input.Type == SignatureColumn.String && frame.Categorical.TryGetValue(input.Name, out var categorical))
                return row => categorical[row];
            throw new InvalidModelException($"The data has no {input.Type} column {input.Name} that the model needs.");
        }).ToArray();

        var scores = new double[frame.RowCount];
        var values = new object?[Inputs.Count];
        for (var row = 0; row < frame.RowCount; row++)
        {
            for (var i = 0; i < columns.Length; i++)
                values[i] = columns[i](row);
            scores[row] = Score(values);
        }
        return scores;
    }

    private double ScoreDesign(ReadOnlySpan<double> design)
    {
        if (_coefficients is not null)
        {
            var z = _intercept;
            for (var i = 0; i < design.Length; i++)
                z += _coefficients[i] * design[i];
            return Sigmoid(z);
        }

        var sum = 0.0;
        foreach (var tree in _trees!)
            sum += tree.Evaluate(design);
        return _treeMean ? Math.Clamp(sum / _trees.Length, 0, 1) : Sigmoid(_baseScore + sum);
    }

    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    private static double Finite(double value, string what) =>
        double.IsFinite(value) ? value : throw new InvalidModelException($"The model's {what} is not a finite number.");

    private sealed class Encoder
    {
        private readonly string _kind;
        private readonly double _center;
        private readonly double _scale;
        private readonly double _impute;
        private readonly Dictionary<string, int>? _categories;

        private Encoder(int inputIndex, string kind, int offset, IReadOnlyList<string> columns, double center, double scale, double impute,
            Dictionary<string, int>? categories)
        {
            InputIndex = inputIndex;
            _kind = kind;
            Offset = offset;
            Columns = columns;
            _center = center;
            _scale = scale;
            _impute = impute;
            _categories = categories;
        }

        public int InputIndex { get; }
        public int Offset { get; }
        public IReadOnlyList<string> Columns { get; }

        public static Encoder Create(int inputIndex, SignatureColumn input, InputEncoding encoding, int offset)
        {
            switch (encoding.Kind)
            {
                case InputEncoding.Standardize when input.Type == SignatureColumn.Double:
                    var scale = encoding.Scale ?? 1;
                    if (!double.IsFinite(scale) || scale == 0)
                        throw new InvalidModelException($"Input {input.Name} has a scale of {scale}; it must be finite and not zero.");
                    return new Encoder(inputIndex, encoding.Kind, offset, [input.Name], Finite(encoding.Center ?? 0, $"center of {input.Name}"), scale,
                        Finite(encoding.Impute ?? encoding.Center ?? 0, $"impute value of {input.Name}"), null);
                case InputEncoding.Identity when input.Type == SignatureColumn.Double:
                    return new Encoder(inputIndex, encoding.Kind, offset, [input.Name], 0, 1, encoding.Impute ?? double.NaN, null);
                case InputEncoding.OneHot when input.Type == SignatureColumn.String:
                    var categories = encoding.Categories ?? throw new InvalidModelException($"The one_hot encoding of {input.Name} lists no categories.");
                    if (categories.Distinct().Count() != categories.Count)
                        throw new InvalidModelException($"The one_hot encoding of {input.Name} lists a category twice.");
                    return new Encoder(inputIndex, encoding.Kind, offset, categories.Select(c => $"{input.Name}={c}").ToList(), 0, 1, 0,
                        categories.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i));
                default:
                    throw new InvalidModelException($"Encoding '{encoding.Kind}' does not apply to {input.Type} input {input.Name}.");
            }
        }

        public void Encode(object? value, Span<double> design)
        {
            if (_categories is not null)
            {
                if (value is string category && _categories.TryGetValue(category, out var position))
                    design[Offset + position] = 1;
                return;
            }

            var x = value switch
            {
                double d => d,
                null => double.NaN,
                IConvertible convertible => convertible.ToDouble(System.Globalization.CultureInfo.InvariantCulture),
                _ => double.NaN,
            };
            if (double.IsNaN(x) || double.IsInfinity(x))
                x = _impute;
            design[Offset] = _kind == InputEncoding.Standardize ? (x - _center) / _scale : x;
        }
    }

    private sealed class CompiledTree
    {
        private readonly int[] _feature;
        private readonly double[] _threshold;
        private readonly int[] _left;
        private readonly int[] _right;
        private readonly double[] _value;
        private readonly bool[] _missingLeft;

        private CompiledTree(int nodes)
        {
            _feature = new int[nodes];
            _threshold = new double[nodes];
            _left = new int[nodes];
            _right = new int[nodes];
            _value = new double[nodes];
            _missingLeft = new bool[nodes];
        }

        public static CompiledTree Compile(Tree tree, int number, IReadOnlyDictionary<string, int> design)
        {
            if (tree.Nodes.Count == 0)
                throw new InvalidModelException($"Tree {number} has no nodes.");
            var compiled = new CompiledTree(tree.Nodes.Count);
            for (var i = 0; i < tree.Nodes.Count; i++)
            {
                var node = tree.Nodes[i];
                if (node.Value is { } leaf)
                {
                    compiled._feature[i] = -1;
                    compiled._value[i] = Finite(leaf, $"leaf {i} of tree {number}");
                    continue;
                }
                if (node.Feature is null || !design.TryGetValue(node.Feature, out var feature))
                    throw new InvalidModelException($"Node {i} of tree {number} splits on '{node.Feature}', which is no design column.");
                if (node.Threshold is not { } threshold || !double.IsFinite(threshold))
                    throw new InvalidModelException($"Node {i} of tree {number} has no finite threshold.");
                // Children must come after their parent: no cycles, and evaluation always ends.
                if (node.Left is not { } left || node.Right is not { } right || left <= i || right <= i || left >= tree.Nodes.Count || right >= tree.Nodes.Count)
                    throw new InvalidModelException($"Node {i} of tree {number} must name two children after it.");
                compiled._feature[i] = feature;
                compiled._threshold[i] = threshold;
                compiled._left[i] = left;
                compiled._right[i] = right;
                compiled._missingLeft[i] = node.MissingGoesLeft;
            }
            return compiled;
        }

        public double Evaluate(ReadOnlySpan<double> design)
        {
            var node = 0;
            while (_feature[node] >= 0)
            {
                var x = design[_feature[node]];
                node = double.IsNaN(x)
                    ? _missingLeft[node] ? _left[node] : _right[node]
                    : x < _threshold[node] ? _left[node] : _right[node];
            }
            return _value[node];
        }
    }
}
