using Xunit;

namespace Mlops.Catalog.Tests;

public sealed class When_a_model_name_is_parsed
{
    [Theory]
    [InlineData("dev.ml.churn", "dev", "ml", "churn")]
    [InlineData("prod.risk_models.credit_v2", "prod", "risk_models", "credit_v2")]
    public void A_well_formed_name_gives_its_three_parts(string text, string catalog, string schema, string model)
    {
        var name = ModelName.Parse(text);

        Assert.Equal((catalog, schema, model, text), (name.Catalog, name.Schema, name.Model, name.FullName));
    }

    [Theory]
    [InlineData("churn", "expected catalog.schema.model")]
    [InlineData("dev.ml.churn; DROP TABLE models", "must be 1 to 63 lower-case letters")]
    [InlineData("dev.ml.churn; DROP TABLE registry.models", "expected catalog.schema.model")]
    [InlineData("dev.ml.\"churn\"", "must be 1 to 63 lower-case letters")]
    [InlineData("dev.ML.churn", "must be 1 to 63 lower-case letters")]
    [InlineData("qa.ml.churn", "must be an environment")]
    [InlineData("", "expected catalog.schema.model")]
    public void A_malformed_or_sql_looking_name_is_refused_with_the_reason(string text, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => ModelName.Parse(text));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_name_outside_the_environment_catalog_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelName.Parse("prod.ml.churn", "dev"));

        Assert.Contains("not in environment 'dev'", error.Message);
    }
}
