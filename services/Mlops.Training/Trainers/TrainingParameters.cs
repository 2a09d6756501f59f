using System.Globalization;

namespace Mlops.Training.Trainers;

/// <summary>
/// The parameters of a TrainModel, read typed and checked, each bad one rejected with a reason that names it.
/// Every parameter must be read by someone: a name nobody reads is most likely a typo, and silently ignoring it
/// would train a model nobody asked for.
/// </summary>
public sealed class TrainingParameters(IReadOnlyDictionary<string, string> values)
{
    private readonly SortedDictionary<string, string> _effective = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _known = new(StringComparer.Ordinal);

    private const int MaxTextLength = 1000;

    /// <summary>Every parameter read so far with the value used, defaults included: what the tracking run records.</summary>
    public IReadOnlyDictionary<string, string> Effective => _effective;

    public int Integer(string name, int defaultValue, int minimum, int maximum)
    {
        if (!TryGet(name, out var raw))
            return Record(name, defaultValue);
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < minimum || value > maximum)
            throw Invalid(name, raw, $"a whole number from {minimum} to {maximum}");
        return Record(name, value);
    }

    /// <summary>A finite number within [<paramref name="minimum"/>, <paramref name="maximum"/>], or above the minimum when it is exclusive.</summary>
    public double Number(string name, double defaultValue, double minimum, bool minimumExclusive = false, double maximum = double.MaxValue)
    {
        if (!TryGet(name, out var raw))
            return Record(name, defaultValue);
        var requirement = $"a number {(minimumExclusive ? ">" : "≥")} {Format(minimum)}{(maximum < double.MaxValue ? $" and ≤ {Format(maximum)}" : "")}";
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Invalid(name, raw, requirement);
        if (value < minimum || (minimumExclusive && value == minimum) || value > maximum)
            throw Invalid(name, raw, requirement);
        return Record(name, value);
    }

    /// <summary>A value passed on as written (an external trainer reads it), or <paramref name="defaultValue"/> when absent.</summary>
    public string Text(string name, string defaultValue)
    {
        var value = TryGet(name, out var raw) ? raw : defaultValue;
        if (value.Length > MaxTextLength || value.Any(char.IsControl))
            throw new TrainingException(
                $"Parameter '{name}' must be at most {MaxTextLength} characters without control characters; got {value.Length} characters" +
                $"{(value.Any(char.IsControl) ? " with control characters" : "")}.");
        _effective[name] = value;
        return value;
    }

    /// <summary>A comma-separated list of distinct names, or null when the parameter is absent.</summary>
    public IReadOnlyList<string>? List(string name)
    {
        if (!TryGet(name, out var raw))
            return null;
        var items = raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0)
            throw Invalid(name, raw, "a comma-separated list of names");
        var repeated = items.GroupBy(i => i, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new TrainingException($"Parameter '{name}' names '{repeated.Key}' twice.");
        _effective[name] = string.Join(",", items);
        return items;
    }

    /// <summary>Throws for the parameters nobody read, listing the ones that would have been.</summary>
    public void RejectUnread(string trainer)
    {
        var unknown = values.Keys.Where(k => !_known.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new TrainingException(
                $"Unknown parameter{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))} for trainer {trainer}; " +
                $"known: {string.Join(", ", _known)}.");
    }

    private bool TryGet(string name, out string raw)
    {
        _known.Add(name);
        if (values.TryGetValue(name, out var value) && value is not null)
        {
            raw = value.Trim();
            return true;
        }
        raw = "";
        return false;
    }

    private T Record<T>(string name, T value) where T : IFormattable
    {
        _effective[name] = value.ToString(null, CultureInfo.InvariantCulture);
        return value;
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static TrainingException Invalid(string name, string raw, string requirement) =>
        new($"Parameter '{name}' must be {requirement}; got '{raw}'.");
}
