using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mlops.Catalog.Features;

namespace Mlops.Catalog.Models;

/// <summary>
/// An ONNX graph scored by ONNX Runtime (docs/model-format.md, "ONNX models"). Loading is the whole validation: the inputs
/// must be feature columns this platform can feed, the probability output must be found, and a probe run must give one
/// probability per row, so a model that loads scores every request. Thread-safe (InferenceSession.Run is).
/// The session's native memory goes when the model is disposed, or by the session's finalizer once nothing refers to it.
/// </summary>
public sealed class OnnxModel : IScoringModel, IDisposable
{
    /// <summary>The metadata_props entry naming the columns of a single [N, k] input, comma-separated.</summary>
    public const string FeatureNamesKey = "mlops.feature_names";

    /// <summary>The output read first: [N, 2] class probabilities (column 1 is the positive class), as sklearn-onnx names it.</summary>
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>The output read next: [N] or [N, 1] probabilities of the positive class.</summary>
    public const string ProbabilityOutput = "probability";

    /// <summary>Rows per Run when scoring a frame: large enough to amortise a Run, small enough to bound its buffers.</summary>
    public const int ChunkRows = 4096;

    // Outputs leave [0, 1] only by float rounding; anything further is not a probability.
    private const double Tolerance = 1e-6;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OnnxFeed[] _feeds;
    private readonly string[] _feedNames;
    private readonly string[] _outputNames;
    private readonly int _batchLimit;
    private int _outputWidth;

    private OnnxModel(InferenceSession session)
    {
        _session = session;
        var (inputs, feeds, batchLimit) = ReadInputs(session);
        Inputs = inputs;
        _feeds = feeds;
        _feedNames = feeds.Select(f => f.Name).ToArray();
        _batchLimit = batchLimit;
        _outputNames = [FindProbabilityOutput(session)];
        Probe();
    }

    public string Format => ModelFormats.Onnx;

    public IReadOnlyList<SignatureColumn> Inputs { get; }

    /// <summary>The graph output the probability is read from.</summary>
    public string OutputName => _outputNames[0];

    /// <summary>
    /// Loads and checks an ONNX artifact, refusing with <see cref="InvalidModelException"/> a file ONNX Runtime cannot load,
    /// inputs or outputs this platform cannot use, or a graph that fails or gives no probability on a probe row.
    /// </summary>
    public static OnnxModel Load(byte[] artifact)
    {
        if (artifact.Length == 0)
            throw new InvalidModelException("The ONNX artifact is empty.");
        InferenceSession session;
        using (var options = SessionOptions())
        {
            try
            {
                session = new InferenceSession(artifact, options);
            }
            catch (OnnxRuntimeException exception)
            {
                throw new InvalidModelException($"The artifact is not an ONNX model ONNX Runtime can load: {exception.Message}", exception);
            }
        }
        try
        {
            return new OnnxModel(session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public double Score(IReadOnlyList<object?> values)
    {
        if (values.Count != Inputs.Count)
            throw new ArgumentException($"Expected {Inputs.Count} input values, got {values.Count}.");
        var scores = new double[1];
        Run(OnnxRows.Single(values), 0, 1, output => Read(output, 1, scores, 0));
        return scores[0];
    }

    public double[] Score(FeatureFrame frame)
    {
        var rows = OnnxRows.Of(frame, Inputs);
        var scores = new double[rows.Count];
        var chunk = Math.Min(ChunkRows, _batchLimit);
        for (var start = 0; start < rows.Count; start += chunk)
        {
            var (offset, count) = (start, Math.Min(chunk, rows.Count - start));
            Run(rows, offset, count, output => Read(output, count, scores, offset));
        }
        return scores;
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private static SessionOptions SessionOptions() => new()
    {
        // One thread per Run: Serving scores many requests at once, and threads of its own per session would oversubscribe the cores.
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
    };

    private void Run(OnnxRows rows, int start, int count, Action<OrtValue> read)
    {
        var values = new OrtValue[_feeds.Length];
        try
        {
            for (var f = 0; f < _feeds.Length; f++)
                values[f] = _feeds[f].Create(rows, start, count);
            using var outputs = _session.Run(_runOptions, _feedNames, values, _outputNames);
            read(outputs[0]);
        }
        catch (OnnxRuntimeException exception)
        {
            throw new InvalidModelException($"ONNX Runtime could not score {count} rows: {exception.Message}", exception);
        }
        finally
        {
            foreach (var value in values)
                value?.Dispose();
            // The session must outlive the native Run: a model dropped by its last holder mid-call is not finalised under it.
            GC.KeepAlive(this);
        }
    }

    private void Read(OrtValue output, int count, double[] scores, int offset)
    {
        var shape = output.GetTensorTypeAndShape().Shape;
        var width = shape.Length == 1 ? 1 : shape.Length == 2 ? (int)shape[1] : -1;
        if (shape.Length is not (1 or 2) || shape[0] != count || width != _outputWidth)
            throw new InvalidModelException(
                $"Output {OutputName} has shape [{string.Join(", ", shape)}] for {count} rows; expected [{count}{(_outputWidth == 2 ? ", 2" : "")}].");
        var column = _outputWidth - 1;
        if (output.GetTensorTypeAndShape().ElementDataType == TensorElementType.Double)
        {
            var data = output.GetTensorDataAsSpan<double>();
            for (var row = 0; row < count; row++)
                scores[offset + row] = Probability(data[row * _outputWidth + column], row);
        }
        else
        {
            var data = output.GetTensorDataAsSpan<float>();
            for (var row = 0; row < count; row++)
                scores[offset + row] = Probability(data[row * _outputWidth + column], row);
        }
    }

    private double Probability(double value, int row)
    {
        if (double.IsNaN(value) || value is >= 0 and <= 1)
            return value;
        if (value is >= -Tolerance and <= 1 + Tolerance)
            return Math.Clamp(value, 0, 1);
        throw new InvalidModelException($"Output {OutputName} gave {value} for row {row}, which is not a probability: does the graph end in a sigmoid or softmax?");
    }

    /// <summary>Scores rows of zeros and empty strings once: a graph that cannot run, or gives no probability per row, is refused now.</summary>
    private void Probe()
    {
        var rows = Math.Min(2, _batchLimit);
        var frame = new FeatureFrame([], new long[rows],
            Inputs.Where(i => i.Type == SignatureColumn.Double).ToDictionary(i => i.Name, _ => new double[rows]),
            Inputs.Where(i => i.Type == SignatureColumn.String).ToDictionary(i => i.Name, _ => new string?[rows]),
            null);
        try
        {
            Run(OnnxRows.Of(frame, Inputs), 0, rows, output =>
            {
                var shape = output.GetTensorTypeAndShape().Shape;
                _outputWidth = shape switch
                {
                    [var n] when n == rows => 1,
                    [var n, 1] when n == rows => 1,
                    [var n, 2] when n == rows => 2,
                    _ => throw new InvalidModelException(
                        $"Output {OutputName} gave shape [{string.Join(", ", shape)}] for {rows} rows; expected [{rows}], [{rows}, 1] or [{rows}, 2] (a binary classifier's class probabilities)."),
                };
                Read(output, rows, new double[rows], 0);
            });
        }
        catch (InvalidModelException exception) when (exception.InnerException is OnnxRuntimeException runtime)
        {
            throw new InvalidModelException($"The model fails on a probe row of zeros and empty strings: {runtime.Message}", runtime);
        }
    }

    private static (IReadOnlyList<SignatureColumn> Inputs, OnnxFeed[] Feeds, int BatchLimit) ReadInputs(InferenceSession session)
    {
        var graphInputs = session.InputMetadata;
        if (graphInputs.Count == 0)
            throw new InvalidModelException("The ONNX graph has no inputs.");
        var batchLimit = int.MaxValue;
        var shapes = new Dictionary<string, (TensorElementType Type, int[] Dimensions)>();
        foreach (var (name, metadata) in graphInputs)
        {
            if (metadata.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
                throw new InvalidModelException($"Input {name} is a {Describe(metadata)}; inputs must be tensors.");
            var type = metadata.ElementDataType;
            if (type is not (TensorElementType.Float or TensorElementType.Double or TensorElementType.String))
                throw new InvalidModelException($"Input {name} holds {type}; inputs must hold float or double (numeric features) or string (categorical ones).");
            var dimensions = metadata.Dimensions;
            if (dimensions.Length is not (1 or 2))
                throw new InvalidModelException($"Input {name} has shape {Shape(dimensions)}; inputs must be [N] or [N, k], one row per entity.");
            if (dimensions[0] > 1)
                throw new InvalidModelException($"Input {name} has a fixed batch size of {dimensions[0]}; make its first dimension dynamic (or 1).");
            if (dimensions[0] == 1)
                batchLimit = 1;
            if (dimensions.Length == 2 && dimensions[1] < 1)
                throw new InvalidModelException($"Input {name} has shape {Shape(dimensions)}; the number of columns must be fixed.");
            shapes[name] = (type, dimensions);
        }

        var names = session.ModelMetadata.CustomMetadataMap.GetValueOrDefault(FeatureNamesKey);
        if (names is not null)
        {
            var matrix = MatrixInputs(names, session.InputNames, shapes);
            var (type, dimensions) = shapes[session.InputNames[0]];
            return (matrix, [new OnnxFeed(session.InputNames[0], type, dimensions.Length == 1, Enumerable.Range(0, matrix.Count).ToArray())], batchLimit);
        }

        var columns = new List<SignatureColumn>();
        var feeds = new List<OnnxFeed>();
        foreach (var name in session.InputNames)
        {
            var (type, dimensions) = shapes[name];
            if (dimensions is [_, > 1])
                throw new InvalidModelException(
                    $"Input {name} has {dimensions[1]} columns; name them in the model's metadata_props entry {FeatureNamesKey} (comma-separated), or give each feature an [N, 1] input of its own.");
            feeds.Add(new OnnxFeed(name, type, dimensions.Length == 1, [columns.Count]));
            columns.Add(new SignatureColumn(name, type == TensorElementType.String ? SignatureColumn.String : SignatureColumn.Double));
        }
        return (columns, feeds.ToArray(), batchLimit);
    }

    private static List<SignatureColumn> MatrixInputs(string names, IReadOnlyList<string> graphInputs,
        IReadOnlyDictionary<string, (TensorElementType Type, int[] Dimensions)> shapes)
    {
        if (graphInputs.Count != 1)
            throw new InvalidModelException(
                $"The model names its features in {FeatureNamesKey}, so it must have exactly one input, an [N, k] matrix; it has {graphInputs.Count}: {string.Join(", ", graphInputs)}.");
        var input = graphInputs[0];
        var (type, dimensions) = shapes[input];
        if (type == TensorElementType.String)
            throw new InvalidModelException($"Input {input} holds strings; a feature matrix holds float or double (give a categorical feature an [N, 1] input of its own).");
        var columns = names.Split(',').Select(n => n.Trim()).ToList();
        if (columns.Any(c => c.Length == 0))
            throw new InvalidModelException($"{FeatureNamesKey} ('{names}') has an empty name.");
        if (columns.Distinct(StringComparer.Ordinal).Count() != columns.Count)
            throw new InvalidModelException($"{FeatureNamesKey} ('{names}') names a feature twice.");
        var width = dimensions.Length == 2 ? dimensions[1] : 1;
        if (columns.Count != width)
            throw new InvalidModelException($"{FeatureNamesKey} names {columns.Count} features but input {input} has shape {Shape(dimensions)}.");
        return columns.Select(c => new SignatureColumn(c, SignatureColumn.Double)).ToList();
    }

    private static string FindProbabilityOutput(InferenceSession session)
    {
        var outputs = session.OutputMetadata;
        foreach (var (name, metadata) in outputs)
        {
            if (metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE
                && metadata.AsSequenceMetadata().ElementMeta.OnnxValueType == OnnxValueType.ONNX_TYPE_MAP)
                throw new InvalidModelException(
                    $"Output {name} is a sequence of maps (a ZipMap); export the classifier without ZipMap (skl2onnx: options {{'zipmap': False}}) so its probabilities are an [N, 2] tensor.");
            if (metadata.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
                throw new InvalidModelException($"Output {name} is a {Describe(metadata)}; outputs must be tensors.");
        }

        var numeric = outputs.Where(o => o.Value.ElementDataType is TensorElementType.Float or TensorElementType.Double).Select(o => o.Key).ToList();
        var chosen = outputs.ContainsKey(ProbabilitiesOutput) ? ProbabilitiesOutput
            : outputs.ContainsKey(ProbabilityOutput) ? ProbabilityOutput
            : numeric.Count == 1 ? numeric[0]
            : throw new InvalidModelException(numeric.Count == 0
                ? $"No output holds float or double probabilities (outputs: {string.Join(", ", outputs.Keys)})."
                : $"Outputs {string.Join(", ", numeric)} could each be the probability; name it {ProbabilitiesOutput} ([N, 2]) or {ProbabilityOutput} ([N] or [N, 1]).");

        var output = outputs[chosen];
        if (output.ElementDataType is not (TensorElementType.Float or TensorElementType.Double))
            throw new InvalidModelException($"Output {chosen} holds {output.ElementDataType}; probabilities must be float or double.");
        var dimensions = output.Dimensions;
        if (dimensions.Length is not (1 or 2) || dimensions is [_, > 2] || dimensions is [_, 0])
            throw new InvalidModelException(dimensions is [_, > 2]
                ? $"Output {chosen} has shape {Shape(dimensions)}: {dimensions[1]} classes; only binary classifiers are scored ([N, 2], column 1 is the positive class)."
                : $"Output {chosen} has shape {Shape(dimensions)}; expected [N], [N, 1] or [N, 2].");
        return chosen;
    }

    private static string Describe(NodeMetadata metadata) => metadata.OnnxValueType switch
    {
        OnnxValueType.ONNX_TYPE_SEQUENCE => "sequence",
        OnnxValueType.ONNX_TYPE_MAP => "map",
        OnnxValueType.ONNX_TYPE_OPTIONAL => "optional value",
        OnnxValueType.ONNX_TYPE_SPARSETENSOR => "sparse tensor",
        var other => other.ToString(),
    };

    private static string Shape(int[] dimensions) =>
        $"[{string.Join(", ", dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : i == 0 ? "N" : "?"))}]";
}
