namespace Mlops.Simulator;

/// <summary>One row of raw.churn_customers: a customer's snapshot and whether they churned.</summary>
public sealed record ChurnCustomer(
    long CustomerId,
    int? TenureMonths,
    double? MonthlyCharges,
    double? TotalCharges,
    int? SupportCalls,
    string? ContractType,
    string? PaymentMethod,
    string? InternetService,
    int? Age,
    bool Churned);
