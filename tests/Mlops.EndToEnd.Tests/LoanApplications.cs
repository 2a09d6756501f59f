using System.Globalization;
using System.Text;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// A second domain that is not churn: loan applications, generated deterministically from a seed, whose default depends on
/// the debt-to-income ratio, the credit score, the employment and the age. Its raw table schema, its CSV file and its YAML
/// feature table are written here as a user of the platform would write them.
/// </summary>
public static class LoanApplications
{
    public const string Table = "raw.loan_applications";
    public const string FeatureTable = "loan_features";
    public const string EntityColumn = "loan_id";
    public const string LabelColumn = "defaulted";

    private static readonly string[] Employments = ["Salaried", "self_employed ", "UNEMPLOYED"];
    private static readonly string[] Purposes = ["car", "home", "education", "debt consolidation, other"];

    /// <summary>The body of POST /api/raw/tables.</summary>
    public static object Schema => new
    {
        name = Table,
        columns = new object[]
        {
            new { name = "loan_id", type = "bigint" }, new { name = "applied_at", type = "timestamptz" },
            new { name = "applicant_age", type = "integer", required = true }, new { name = "income", type = "numeric", required = true },
            new { name = "loan_amount", type = "numeric", required = true }, new { name = "term_months", type = "integer", required = true },
            new { name = "credit_score", type = "integer" }, new { name = "employment", type = "text", required = true },
            new { name = "purpose", type = "text" }, new { name = "defaulted", type = "boolean", required = true },
        },
        key = new[] { "loan_id" },
        eventTime = "applied_at",
    };

    /// <summary>The YAML feature table: CASE, functions (ln, round, lower, trim, coalesce) and a cast over the raw columns.</summary>
    public const string Features = """
        # Loan default: one row per application, at the time it was made.
        name: loan_features
        description: "Loan applications: affordability, credit and employment; label defaulted (1/0)."
        source: raw.loan_applications
        entity: loan_id
        timestamp: applied_at
        label:
          name: defaulted
          expression: CASE WHEN defaulted THEN 1 ELSE 0 END
        features:
          - name: debt_to_income
            type: numeric
            expression: loan_amount / CASE WHEN income <= 0 THEN NULL ELSE income END
          - name: log_income
            type: numeric
            expression: ln(income)
          - name: monthly_payment
            type: numeric
            expression: round(loan_amount / term_months, 2)
          - name: credit_score
            type: numeric
            expression: CAST(coalesce(credit_score, 600) AS double precision)
          - name: employment
            type: categorical
            expression: lower(trim(employment))
          - name: age_band
            type: categorical
            expression: CASE WHEN applicant_age < 25 THEN 'young' WHEN applicant_age < 50 THEN 'middle' ELSE 'senior' END
        quality:
          rules:
            - column: debt_to_income
              min: 0
              max: 5
            - column: employment
              allowed: [salaried, self_employed, unemployed]
        """;

    /// <summary>A CSV file of <paramref name="rows"/> applications (ids from <paramref name="firstId"/>), the header in another order than the schema's.</summary>
    public static string Csv(int rows, int seed, int firstId = 1)
    {
        var random = new Random(seed);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var csv = new StringBuilder("loan_id,employment,income,loan_amount,term_months,credit_score,applicant_age,purpose,applied_at,defaulted\n");
        for (var id = firstId; id < firstId + rows; id++)
        {
            var age = random.Next(19, 75);
            var income = Math.Round(15_000 + random.NextDouble() * 135_000, 2);
            var debtToIncome = 0.05 + random.NextDouble() * 0.75;
            var amount = Math.Round(income * debtToIncome, 2);
            var term = new[] { 12, 24, 36, 60 }[random.Next(4)];
            int? score = random.NextDouble() < 0.03 ? null : random.Next(500, 851);
            var employment = Employments[random.Next(Employments.Length)];
            var logit = -0.4 + 4 * (amount / income - 0.35) - 0.012 * ((score ?? 600) - 680)
                + employment.Trim().ToLowerInvariant() switch { "unemployed" => 1.2, "self_employed" => 0.4, _ => 0.0 } + (age < 25 ? 0.5 : 0.0);
            var defaulted = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            var appliedAt = start.AddMinutes(id * 7 + random.Next(5));
            var purpose = Purposes[random.Next(Purposes.Length)];
            csv.Append(CultureInfo.InvariantCulture, $"{id},{employment},{income},{amount},{term},{score},{age},\"{purpose}\",{appliedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'},{(defaulted ? "yes" : "no")}\n");
        }
        return csv.ToString();
    }
}
