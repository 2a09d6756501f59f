namespace Mlops.Testing.Onnx;

/// <summary>What one run of examples/trainers/onnx_logistic/train.py left: the ONNX file, scikit-learn's own probabilities by entity, the metrics.</summary>
public sealed record OnnxTrainerRun(byte[] Model, IReadOnlyDictionary<long, double> Predictions, string MetricsJson);
