namespace Mlops.Api.Requests;

/// <summary>
/// The upstream simulator: generate a batch of synthetic churn customers (the same options give the same rows) and land it into
/// raw.churn_customers. Shift is covariate drift, ConceptShift (0 to 1) concept drift, NullRate (0 to 1) rows with blank billing columns.
/// </summary>
public sealed record SyntheticBatchRequest(string? Environment, int? Rows, int? Seed, long? FirstCustomerId, double? Shift, double? ConceptShift,
    double? NullRate, string? Description);
