using System.Text.RegularExpressions;
using Mlops.Catalog;
using Mlops.Hosting.Data;

namespace Mlops.Api.Http;

/// <summary>
/// Checks every value before anything runs, naming the field at fault. Free text is refused whole-class where PostgreSQL would
/// refuse it (NUL characters, unpaired surrogates that are not valid UTF-8) and beyond a length, so nothing half-happens.
/// </summary>
public static partial class Input
{
    public static ModelName Model(string? value, string field)
    {
        if (!ModelName.TryParse(value, out var name, out var error))
            throw ApiProblemException.Invalid(field, error);
        return name!;
    }

    public static string Environment(string? value, string field)
    {
        if (value is null || !ModelName.Environments.Contains(value))
            throw ApiProblemException.Invalid(field, $"'{value}' is not an environment: use dev, staging or prod.");
        return value;
    }

    public static string Text(string? value, string field, int maxLength, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
                throw ApiProblemException.Invalid(field, $"{field} is required.");
            return value ?? "";
        }
        if (value.Length > maxLength)
            throw ApiProblemException.Invalid(field, $"{field} is longer than {maxLength} characters.");
        if (!IsStorable(value))
            throw ApiProblemException.Invalid(field, $"{field} contains a NUL character or an unpaired surrogate, which cannot be stored.");
        return value;
    }

    public static string? OptionalText(string? value, string field, int maxLength) =>
        string.IsNullOrEmpty(value) ? null : Text(value, field, maxLength);

    public static string Identifier(string? value, string field)
    {
        if (!SqlIdentifier.IsValid(value))
            throw ApiProblemException.Invalid(field,
                $"'{value}' is not valid: use 1 to {SqlIdentifier.MaxLength} lower-case letters, digits and underscores, not starting with a digit.");
        return value!;
    }

    public static string Token(string? value, string field, int maxLength = 100)
    {
        if (string.IsNullOrEmpty(value) || value.Length > maxLength || !TokenPattern().IsMatch(value))
            throw ApiProblemException.Invalid(field, $"'{value}' is not valid: use 1 to {maxLength} letters, digits, '.', '_', '-'.");
        return value;
    }

    public static IReadOnlyDictionary<string, string> Pairs(IReadOnlyDictionary<string, string>? pairs, string field, int maxValueLength = 500)
    {
        var result = new Dictionary<string, string>();
        foreach (var (key, value) in pairs ?? new Dictionary<string, string>())
        {
            Identifier(key, $"{field}.{key}");
            result[key] = Text(value, $"{field}.{key}", maxValueLength, required: false);
        }
        if (result.Count > 100)
            throw ApiProblemException.Invalid(field, $"{field} has more than 100 entries.");
        return result;
    }

    public static int Limit(int? value, string field = "limit", int fallback = 50, int max = 1000)
    {
        var limit = value ?? fallback;
        if (limit < 1 || limit > max)
            throw ApiProblemException.Invalid(field, $"{field} must be between 1 and {max}.");
        return limit;
    }

    public static Guid Id(Guid? value, string field)
    {
        if (value is not { } id || id == Guid.Empty)
            throw ApiProblemException.Invalid(field, $"{field} is required (a non-empty UUID).");
        return id;
    }

    public static bool IsStorable(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
                return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                    return false;
                i++;
            }
            else if (char.IsLowSurrogate(c))
                return false;
        }
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+\\z")]
    private static partial Regex TokenPattern();
}
