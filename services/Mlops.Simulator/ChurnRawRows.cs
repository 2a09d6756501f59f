using Mlops.Catalog.Features;

namespace Mlops.Simulator;

/// <summary>
/// Generated customers as the raw rows a batch read from raw.churn_customers would give, so a client can compute the same
/// features the feature store holds (the demo does, to send scoring requests for customers who never landed).
/// </summary>
public static class ChurnRawRows
{
    public static RawRows From(IReadOnlyList<ChurnCustomer> customers) => new(customers.Count, new Dictionary<string, Array>
    {
        ["customer_id"] = customers.Select(c => (long?)c.CustomerId).ToArray(),
        ["tenure_months"] = customers.Select(c => c.TenureMonths).ToArray(),
        ["monthly_charges"] = customers.Select(c => c.MonthlyCharges).ToArray(),
        ["total_charges"] = customers.Select(c => c.TotalCharges).ToArray(),
        ["support_calls"] = customers.Select(c => c.SupportCalls).ToArray(),
        ["contract_type"] = customers.Select(c => c.ContractType).ToArray(),
        ["payment_method"] = customers.Select(c => c.PaymentMethod).ToArray(),
        ["internet_service"] = customers.Select(c => c.InternetService).ToArray(),
        ["age"] = customers.Select(c => c.Age).ToArray(),
        ["churned"] = customers.Select(c => (bool?)c.Churned).ToArray(),
    });
}
