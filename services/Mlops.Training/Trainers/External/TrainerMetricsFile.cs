using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mlops.Training.Trainers.External;

/// <summary>
/// Reads an external trainer's metrics.json: one JSON object of metric names to finite numbers. NaN and infinities are refused
/// by name, whether written as strings or as the bare tokens Python's json module writes by default (which are not JSON).
/// </summary>
public static partial class TrainerMetricsFile
{
    public const string FileName = "metrics.json";

    public static IReadOnlyDictionary<string, double> Parse(byte[] content)
    {
        var nonFinite = BareNonFinite().Match(System.Text.Encoding.UTF8.GetString(content));
        if (nonFinite.Success)
            throw NotFinite(nonFinite.Groups["name"].Value, nonFinite.Groups["value"].Value);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(content);
        }
        catch (JsonException exception)
        {
            throw new TrainingException($"{FileName} is not valid JSON: {exception.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new TrainingException($"{FileName} must be a JSON object of metric names to numbers; it is a {document.RootElement.ValueKind}.");
            var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!MetricName().IsMatch(property.Name))
                    throw new TrainingException($"{FileName} names a metric '{Shorten(property.Name)}': a metric name is letters, digits, '_', '.' and '-', at most 100.");
                if (!metrics.TryAdd(property.Name, Value(property)))
                    throw new TrainingException($"{FileName} names metric '{property.Name}' twice.");
            }
            return metrics;
        }
    }

    private static double Value(JsonProperty property)
    {
        switch (property.Value.ValueKind)
        {
            case JsonValueKind.Number when property.Value.TryGetDouble(out var number) && double.IsFinite(number):
                return number;
            case JsonValueKind.Number:
                throw NotFinite(property.Name, property.Value.GetRawText());
            case JsonValueKind.String when double.TryParse(property.Value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var text)
                                           && !double.IsFinite(text):
                throw NotFinite(property.Name, property.Value.GetString()!);
            default:
                throw new TrainingException($"{FileName}: metric '{property.Name}' must be a number; it is {Shorten(property.Value.GetRawText())}.");
        }
    }

    private static TrainingException NotFinite(string name, string value) =>
        new($"{FileName}: metric '{name}' is {value}; every metric must be a finite number.");

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;

    [GeneratedRegex("""
        "(?<name>[^"\\]{1,100})"\s*:\s*(?<value>-?(?:NaN|Infinity))\b
        """)]
    private static partial Regex BareNonFinite();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,100}$")]
    private static partial Regex MetricName();
}
