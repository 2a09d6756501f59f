namespace Mlops.Simulator;

/// <summary>What <see cref="ChurnDataGenerator"/> generates. The same options always give the same rows.</summary>
public sealed record ChurnDataOptions
{
    /// <summary>The raw columns a data outage blanks by default: the ones the billing feed supplies.</summary>
    public static readonly IReadOnlyList<string> BillingColumns = ["monthly_charges", "total_charges", "payment_method"];

    public static readonly IReadOnlyList<string> FeatureColumns =
        ["tenure_months", "monthly_charges", "total_charges", "support_calls", "contract_type", "payment_method", "internet_service", "age"];

    public int RowCount { get; init; } = 1_000;

    public int Seed { get; init; } = 42;

    public long FirstCustomerId { get; init; } = 1;

    /// <summary>
    /// Covariate drift, 0 for none: monthly charges rise by 10 × Shift, tenure falls by 6 × Shift months, and the contract mix
    /// moves towards month-to-month by 0.5 × Shift in log-odds (and away from two-year by as much). Negative values drift the other way.
    /// </summary>
    public double Shift { get; init; }

    /// <summary>
    /// The fraction of rows (drawn independently, so about this share) in which every column of <see cref="NullColumns"/> is null,
    /// as when an upstream join fails. The label is drawn from the complete values first.
    /// </summary>
    public double NullRate { get; init; }

    /// <summary>Raw column names (of <see cref="FeatureColumns"/>) that <see cref="NullRate"/> blanks; the billing columns by default.</summary>
    public IReadOnlyList<string> NullColumns { get; init; } = BillingColumns;

    /// <summary>
    /// Concept drift between 0 and 1: the tenure, contract and support-call effects on churn are scaled by (1 − 2 × ConceptShift),
    /// so 0.5 leaves those features without signal and 1 reverses them, while the features' distributions stay as they were.
    /// </summary>
    public double ConceptShift { get; init; }

    public ChurnDataOptions Validate()
    {
        if (RowCount < 0)
            throw new ArgumentOutOfRangeException(nameof(RowCount), RowCount, "The row count cannot be negative.");
        if (FirstCustomerId < 0 || FirstCustomerId > long.MaxValue - RowCount)
            throw new ArgumentOutOfRangeException(nameof(FirstCustomerId), FirstCustomerId, "Customer ids must be non-negative and fit in a bigint.");
        if (!double.IsFinite(Shift))
            throw new ArgumentOutOfRangeException(nameof(Shift), Shift, "The shift must be a finite number.");
        if (NullRate is < 0 or > 1 || double.IsNaN(NullRate))
            throw new ArgumentOutOfRangeException(nameof(NullRate), NullRate, "The null rate is a fraction between 0 and 1.");
        if (ConceptShift is < 0 or > 1 || double.IsNaN(ConceptShift))
            throw new ArgumentOutOfRangeException(nameof(ConceptShift), ConceptShift, "The concept shift is between 0 and 1.");
        if (NullColumns.FirstOrDefault(c => !FeatureColumns.Contains(c)) is { } unknown)
            throw new ArgumentException($"'{unknown}' is not a feature column of raw.churn_customers; choose from {string.Join(", ", FeatureColumns)}.",
                nameof(NullColumns));
        return this;
    }
}
