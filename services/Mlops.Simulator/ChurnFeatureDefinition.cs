using Mlops.Catalog.Features;

namespace Mlops.Simulator;

/// <summary>
/// The churn features computed in C#, for clients that score raw customers themselves (the demo's traffic, tests). The
/// feature store computes the same values from examples/features/churn.yaml inside PostgreSQL (a parity test holds them
/// equal). churn_features, from raw.churn_customers: one row per customer with the raw numeric and categorical attributes, two rates
/// that do not grow with tenure (average charge per month, support calls per year) and the label churned as 1/0.
/// A missing input makes the features computed from it missing too.
/// </summary>
public sealed class ChurnFeatureDefinition
{
    public const string TableName = "churn_features";

    public FeatureTableDefinition Table { get; } = new FeatureTableDefinition
    {
        Name = TableName,
        EntityColumn = "customer_id",
        SourceTable = "raw.churn_customers",
        LabelColumn = "churned",
        Description = "Customer churn features: account, billing, support and service attributes; label churned (1/0).",
        Columns =
        [
            new FeatureColumn("tenure_months", FeatureType.Numeric),
            new FeatureColumn("monthly_charges", FeatureType.Numeric),
            new FeatureColumn("total_charges", FeatureType.Numeric),
            new FeatureColumn("support_calls", FeatureType.Numeric),
            new FeatureColumn("age", FeatureType.Numeric),
            new FeatureColumn("avg_charge_per_month", FeatureType.Numeric),
            new FeatureColumn("support_calls_per_year", FeatureType.Numeric),
            new FeatureColumn("contract_type", FeatureType.Categorical),
            new FeatureColumn("payment_method", FeatureType.Categorical),
            new FeatureColumn("internet_service", FeatureType.Categorical),
        ],
    }.Validate();

    public IReadOnlyList<SourceColumn> SourceColumns { get; } =
    [
        new("batch_id", "uuid"),
        new("customer_id", "bigint"),
        new("tenure_months", "integer"),
        new("monthly_charges", "double precision"),
        new("total_charges", "double precision"),
        new("support_calls", "integer"),
        new("contract_type", "text"),
        new("payment_method", "text"),
        new("internet_service", "text"),
        new("age", "integer"),
        new("churned", "boolean"),
    ];

    public FeatureFrame Compute(RawRows rows)
    {
        var tenure = Numbers(rows.Column<int?>("tenure_months"));
        var monthly = Numbers(rows.Column<double?>("monthly_charges"));
        var total = Numbers(rows.Column<double?>("total_charges"));
        var calls = Numbers(rows.Column<int?>("support_calls"));

        // The first month counts as a month of tenure, so a brand-new customer has rates rather than a division by zero.
        var billedMonths = tenure.Select(t => Math.Max(t, 1)).ToArray();
        var numeric = new Dictionary<string, double[]>
        {
            ["tenure_months"] = tenure,
            ["monthly_charges"] = monthly,
            ["total_charges"] = total,
            ["support_calls"] = calls,
            ["age"] = Numbers(rows.Column<int?>("age")),
            ["avg_charge_per_month"] = total.Select((value, i) => value / billedMonths[i]).ToArray(),
            ["support_calls_per_year"] = calls.Select((value, i) => value * 12 / billedMonths[i]).ToArray(),
        };
        var categorical = new Dictionary<string, string?[]>
        {
            ["contract_type"] = rows.Column<string?>("contract_type"),
            ["payment_method"] = rows.Column<string?>("payment_method"),
            ["internet_service"] = rows.Column<string?>("internet_service"),
        };
        var entityIds = rows.Column<long?>("customer_id")
            .Select(id => id ?? throw new InvalidOperationException("raw.churn_customers holds a row without a customer_id."))
            .ToArray();
        var labels = rows.Column<bool?>("churned").Select(churned => churned switch { true => 1.0, false => 0.0, null => double.NaN }).ToArray();

        return new FeatureFrame(Table.Columns, entityIds, numeric, categorical, labels);
    }

    private static double[] Numbers(int?[] values) => values.Select(v => v ?? double.NaN).ToArray();

    private static double[] Numbers(double?[] values) => values.Select(v => v ?? double.NaN).ToArray();
}
