using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Features.Definitions;
using Mlops.FeatureRefresh.Tests.Support;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

/// <summary>
/// Definitions refused at registration, each with its reason, checked against the real raw.churn_customers and PostgreSQL
/// (under the service's role, which validates as mlops_featurecompute). Nothing is registered and no statement runs.
/// </summary>
public sealed class When_a_feature_definition_is_refused(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    public static TheoryData<string, string, string> Expressions => new()
    {
        // SQL injection attempts
        { "tenure_months; DROP TABLE raw.churn_customers", "numeric", "position 14: ';' is not allowed" },
        { "tenure_months -- the rest is a comment", "numeric", "position 15: comments are not allowed" },
        { "tenure_months /* hidden */ + 1", "numeric", "position 15: comments are not allowed" },
        { "(SELECT max(tenure_months))", "numeric", "position 2: subqueries are not allowed" },
        { "(SELECT max(tenure_months) FROM raw.churn_customers)", "numeric", "qualified names ('raw.') are not allowed" },
        { "tenure_months IN (SELECT 1)", "numeric", "subqueries are not allowed" },
        { "pg_sleep(10)", "numeric", "position 1: function 'pg_sleep' is not allowed" },
        { "pg_catalog.pg_sleep(10)", "numeric", "position 11: qualified names ('pg_catalog.') are not allowed" },
        { "features.churn_features", "numeric", "qualified names ('features.') are not allowed" },
        { "\"tenure_months\"", "numeric", "position 1: quoted identifiers are not allowed" },
        { "\"x\"\"; DROP TABLE raw.churn_customers; --\"", "numeric", "quoted identifiers are not allowed" },
        { "$$abc$$", "categorical", "position 1: '$' is not allowed" },
        { "$1", "numeric", "'$' is not allowed" },
        { "E'\\x27; DROP TABLE x'", "categorical", "prefixed string literals (E'...') are not allowed" },
        { "tenure_months::text", "categorical", "'::' casts are not allowed" },
        { "current_setting('search_path')", "categorical", "function 'current_setting' is not allowed" },
        { "lo_import('/etc/passwd')", "numeric", "function 'lo_import' is not allowed" },
        { "CAST(contract_type AS regclass)", "categorical", "CAST to 'regclass' is not allowed" },
        { "tenure_months UNION SELECT 1", "numeric", "position 15: unexpected 'union' after a complete expression" },
        { "'abc", "categorical", "the string literal is not closed" },
        { new string('(', 100) + "1" + new string(')', 100), "numeric", "nests deeper than 64 levels" },
        // unknown columns
        { "tenure_months + loyalty_points", "numeric", "position 17: unknown column 'loyalty_points'; the source has age, churned, contract_type" },
        { "batch_id", "categorical", "unknown column 'batch_id'" },
        // type mismatches, as PostgreSQL finds them
        { "lower(tenure_months)", "categorical", "PostgreSQL refuses the expression of feature f: function lower(integer) does not exist" },
        { "contract_type + 1", "numeric", "PostgreSQL refuses the expression of feature f: operator does not exist: text + integer" },
        { "contract_type", "numeric", "Feature f is declared numeric but its expression gives text" },
        { "tenure_months", "categorical", "Feature f is declared categorical but its expression gives integer" },
        { "churned", "numeric", "Feature f is declared numeric but its expression gives boolean" },
        { "CAST('abc' AS integer)", "numeric", "invalid input syntax for type integer: \"abc\"" },
        // forbidden functions
        { "random()", "numeric", "function 'random' is not allowed" },
        { "nextval('x')", "numeric", "function 'nextval' is not allowed" },
        { "set_config('role', 'mlops', false)", "categorical", "function 'set_config' is not allowed" },
        { "abs(1, 2)", "numeric", "abs takes 1 arguments, not 2" },
    };

    [Theory]
    [MemberData(nameof(Expressions))]
    public async Task An_expression_outside_the_language_is_refused_with_its_reason(string expression, string type, string reason)
    {
        var refused = await Assert.ThrowsAsync<FeatureDefinitionException>(() => CompileAsync(Definition(expression, type)));

        Assert.Contains(reason, refused.Message);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM features.definitions WHERE table_name = 'refused_features'"));
    }

    public static TheoryData<string, string> Documents => new()
    {
        { "name: refused_features\nsource: raw.churn_customers\nentity: customer_id\ncolour: red\nfeatures:\n  - {name: f, type: numeric, expression: age}\n",
            "Line 4, column 1: unknown key 'colour'." },
        { "name: refused_features\nsource: raw.churn_customers\nentity: customer_id\nfeatures:\n  - {name: f, type: numeric, expression: age, weight: 2}\n",
            "unknown key 'weight'" },
        { "name: [refused\nsource: x\n", "Line" },
        { "", "The feature table definition is empty." },
        { "name: refused_features\nsource: public.churn_customers\nentity: customer_id\nfeatures:\n  - {name: f, type: numeric, expression: age}\n",
            "feature tables read raw tables only" },
        { "name: refused_features\nsource: raw.nothing_here\nentity: customer_id\nfeatures:\n  - {name: f, type: numeric, expression: age}\n",
            "Source table raw.nothing_here does not exist." },
        { "name: Refused-Features\nsource: raw.churn_customers\nentity: customer_id\nfeatures:\n  - {name: f, type: numeric, expression: age}\n",
            "name 'Refused-Features' is not a valid feature table name" },
        { "name: refused_features\nsource: raw.churn_customers\nentity: contract_type\nfeatures:\n  - {name: f, type: numeric, expression: age}\n",
            "entity 'contract_type' is text; it must be bigint or integer or smallint." },
        { "name: refused_features\nsource: raw.churn_customers\nentity: customer_id\nfeatures:\n  - {name: f, type: number, expression: age}\n",
            "Feature f has type 'number'; use numeric or categorical." },
        { "name: refused_features\nsource: raw.churn_customers\nentity: customer_id\nfeatures:\n  - {name: f, type: numeric, expression: age}\n  - {name: f, type: numeric, expression: age}\n",
            "Feature name 'f' repeats" },
        { "name: refused_features\nsource: raw.churn_customers\nentity: customer_id\nlabel: {name: churned, expression: churned}\nfeatures:\n  - {name: f, type: numeric, expression: age}\n",
            "Label churned gives boolean" },
        { "name: refused_features\nsource: raw.churn_customers\nentity: customer_id\nfeatures:\n  - {name: f, type: numeric, expression: age}\nquality:\n  rules:\n    - {column: g, min: 0}\n",
            "quality.rules[0] checks 'g', which is not a feature or the label" },
        { "name: refused_features\nsource: raw.churn_customers\nentity: customer_id\nfeatures:\n  - {name: f, type: numeric, expression: age}\nquality:\n  max_null_rate: 2\n",
            "quality.max_null_rate is 2; use a fraction between 0 and 1." },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task A_malformed_document_is_refused_with_its_reason(string yaml, string reason)
    {
        var refused = await Assert.ThrowsAsync<FeatureDefinitionException>(() => CompileAsync(yaml));

        Assert.Contains(reason, refused.Message);
    }

    [Fact]
    public async Task The_rendered_sql_quotes_every_column_and_rewrites_every_literal()
    {
        var spec = await CompileAsync(Definition("CASE WHEN contract_type = 'it''s' THEN -tenure_months ELSE ROUND(.5e1) END", "numeric"));

        Assert.Equal("CASE WHEN (s.\"contract_type\" = 'it''s') THEN (-s.\"tenure_months\") ELSE round(0.5e1) END", Assert.Single(spec.Features).Sql);
    }

    private Task<FeatureTableSpec> CompileAsync(string yaml) =>
        environment.Service.Services.GetRequiredService<FeatureTableRegistry>().CompileAsync(yaml);

    private static string Definition(string expression, string type) => $"""
        name: refused_features
        source: raw.churn_customers
        entity: customer_id
        features:
          - name: f
            type: {type}
            expression: '{expression.Replace("'", "''", StringComparison.Ordinal)}'
        """;
}
