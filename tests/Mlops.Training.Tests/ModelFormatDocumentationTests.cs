using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.Catalog.Models;
using Xunit;

namespace Mlops.Training.Tests;

/// <summary>docs/model-format.md promises what its examples score; these hold it to that, reading the page itself.</summary>
public sealed class The_documented_model_format_examples
{
    private static readonly string Page = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "model-format.md"));

    [Theory]
    [InlineData("logistic_regression")]
    [InlineData("tree_ensemble")]
    public void Compile_and_score_what_the_page_says(string kind)
    {
        var model = CompiledModel.Load(Encoding.UTF8.GetBytes(Example(kind)));
        using var cases = JsonDocument.Parse(Example($"{kind}:scores"));

        Assert.Equal(kind, model.Document.Kind);
        Assert.Equal(3, cases.RootElement.GetArrayLength());
        foreach (var example in cases.RootElement.EnumerateArray())
        {
            var inputs = example.GetProperty("inputs");
            var values = model.Inputs.Select(input => inputs.GetProperty(input.Name) switch
            {
                { ValueKind: JsonValueKind.Null } => (object?)null,
                { ValueKind: JsonValueKind.Number } number => number.GetDouble(),
                var text => text.GetString(),
            }).ToArray();
            Assert.Equal(example.GetProperty("probability").GetDouble(), model.Score(values), 12);
        }
    }

    private static string Example(string name)
    {
        var match = Regex.Match(Page, $@"<!-- example:{Regex.Escape(name)} -->\s*```json\n(?<json>.*?)\n```", RegexOptions.Singleline);
        Assert.True(match.Success, $"docs/model-format.md has no example '{name}'.");
        return match.Groups["json"].Value;
    }
}
