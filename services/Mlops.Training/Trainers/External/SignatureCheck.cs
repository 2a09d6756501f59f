using Mlops.Catalog.Features;
using Mlops.Catalog.Models;

namespace Mlops.Training.Trainers.External;

/// <summary>
/// A model an external trainer hands over may only take features it was given, each with the feature's type. A subset is
/// allowed (a trainer may select features); anything else — the label, the entity key, a column the table does not have, a
/// numeric feature read as a string — could not be served from the feature table, or would leak the answer into the model.
/// </summary>
public static class SignatureCheck
{
    public static void Require(IReadOnlyList<SignatureColumn> inputs, TrainingData data, string file)
    {
        if (inputs.Count == 0)
            throw new TrainingException($"The signature of {file} has no inputs.");
        var given = string.Join(", ", data.Features.Select(f => $"{f.Name} ({TypeOf(f)})"));
        foreach (var input in inputs)
        {
            if (input.Name == data.LabelColumn)
                throw new TrainingException($"Signature mismatch: {file} takes the label '{input.Name}' as an input; a model cannot be given its own answer.");
            if (input.Name == data.EntityColumn)
                throw new TrainingException($"Signature mismatch: {file} takes the entity key '{input.Name}' as an input; only features may be inputs ({given}).");
            var feature = data.Features.FirstOrDefault(f => f.Name == input.Name)
                ?? throw new TrainingException($"Signature mismatch: {file} takes input '{input.Name}', which is not a feature it was given ({given}).");
            if (input.Type != TypeOf(feature))
                throw new TrainingException(
                    $"Signature mismatch: {file} takes input '{input.Name}' as {input.Type}, but the feature is {TypeOf(feature)} ({given}).");
        }
        var repeated = inputs.GroupBy(i => i.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new TrainingException($"Signature mismatch: {file} takes input '{repeated.Key}' twice.");
    }

    private static string TypeOf(FeatureColumn feature) => feature.Type == FeatureType.Numeric ? SignatureColumn.Double : SignatureColumn.String;
}
