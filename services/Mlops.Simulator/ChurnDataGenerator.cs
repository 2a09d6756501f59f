namespace Mlops.Simulator;

/// <summary>
/// Synthetic customers for raw.churn_customers, labelled by <see cref="ChurnGeneratingProcess"/>. Everything is drawn from
/// System.Random seeded by <see cref="ChurnDataOptions.Seed"/>, a fixed number of draws per row: the same options give the same
/// rows, a longer batch starts with the rows of a shorter one, and changing Shift, NullRate or ConceptShift changes only what
/// those knobs touch.
/// </summary>
public static class ChurnDataGenerator
{
    /// <summary>
    /// The feature distributions: the contract mix first; tenure by contract (month-to-month ~ Exp(12), one-year 6 + Exp(24),
    /// two-year 12 + Exp(36) months, capped at 72); internet service; monthly charges around 22 / 55 / 85 by service with sd 12;
    /// total charges ≈ monthly × tenure (±4%); payment method; support calls ~ Poisson(1 + 0.6 fiber + 0.3 month-to-month);
    /// age ~ N(45, 14) in 18..90.
    /// </summary>
    public static IReadOnlyList<ChurnCustomer> Generate(ChurnDataOptions options)
    {
        options.Validate();
        var random = new Random(options.Seed);
        // A stream of its own, so that the null rate never changes the values underneath.
        var outages = new Random(unchecked(options.Seed * 7919 + 104_729));
        var contractWeights = new[] { 0.50 * Math.Exp(0.5 * options.Shift), 0.25, 0.25 * Math.Exp(-0.5 * options.Shift) };
        var nulls = options.NullColumns.ToHashSet(StringComparer.Ordinal);

        var customers = new ChurnCustomer[options.RowCount];
        for (var i = 0; i < customers.Length; i++)
        {
            var contract = Pick(random.NextDouble(), ChurnGeneratingProcess.ContractTypes, contractWeights);
            var baseTenure = contract switch
            {
                ChurnGeneratingProcess.MonthToMonth => Exponential(random.NextDouble(), 12),
                ChurnGeneratingProcess.OneYear => 6 + Exponential(random.NextDouble(), 24),
                _ => 12 + Exponential(random.NextDouble(), 36),
            };
            var tenure = (int)Math.Clamp(Math.Round(baseTenure - 6 * options.Shift), 0, 72);

            var internet = Pick(random.NextDouble(), ChurnGeneratingProcess.InternetServices, [0.45, 0.35, 0.20]);
            var typicalCharge = internet switch { ChurnGeneratingProcess.FiberOptic => 85.0, ChurnGeneratingProcess.Dsl => 55.0, _ => 22.0 };
            var monthly = Math.Round(Math.Max(18, typicalCharge + 12 * Normal(random) + 10 * options.Shift), 2);
            var total = Math.Round(monthly * Math.Max(tenure, 1) * (1 + 0.04 * Normal(random)), 2);

            var payment = Pick(random.NextDouble(), ChurnGeneratingProcess.PaymentMethods, [0.35, 0.18, 0.22, 0.25]);
            var callRate = 1.0 + (internet == ChurnGeneratingProcess.FiberOptic ? 0.6 : 0) + (contract == ChurnGeneratingProcess.MonthToMonth ? 0.3 : 0);
            var calls = Poisson(random.NextDouble(), callRate);
            var age = (int)Math.Clamp(Math.Round(45 + 14 * Normal(random)), 18, 90);

            var probability = ChurnGeneratingProcess.Probability(tenure, monthly, calls, contract, payment, internet, age, options.ConceptShift);
            var churned = random.NextDouble() < probability;

            var outage = outages.NextDouble() < options.NullRate;
            bool Blank(string column) => outage && nulls.Contains(column);
            customers[i] = new ChurnCustomer(
                CustomerId: options.FirstCustomerId + i,
                TenureMonths: Blank("tenure_months") ? null : tenure,
                MonthlyCharges: Blank("monthly_charges") ? null : monthly,
                TotalCharges: Blank("total_charges") ? null : total,
                SupportCalls: Blank("support_calls") ? null : calls,
                ContractType: Blank("contract_type") ? null : contract,
                PaymentMethod: Blank("payment_method") ? null : payment,
                InternetService: Blank("internet_service") ? null : internet,
                Age: Blank("age") ? null : age,
                Churned: churned);
        }
        return customers;
    }

    private static string Pick(double uniform, IReadOnlyList<string> values, double[] weights)
    {
        var target = uniform * weights.Sum();
        for (var i = 0; i < values.Count - 1; i++)
        {
            target -= weights[i];
            if (target < 0)
                return values[i];
        }
        return values[^1];
    }

    private static double Exponential(double uniform, double mean) => -mean * Math.Log(1 - uniform);

    // Box–Muller with both uniforms always drawn, so every row takes the same number of draws.
    private static double Normal(Random random)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    // Inverse CDF from one uniform, for the same reason.
    private static int Poisson(double uniform, double rate)
    {
        var k = 0;
        var probability = Math.Exp(-rate);
        var cumulative = probability;
        while (uniform > cumulative && k < 100)
        {
            k++;
            probability *= rate / k;
            cumulative += probability;
        }
        return k;
    }
}
