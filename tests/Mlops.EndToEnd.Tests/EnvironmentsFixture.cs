namespace Mlops.EndToEnd.Tests;

/// <summary>The platform with the churn model in each environment of the default chain, trained only with released code.</summary>
public sealed class EnvironmentsFixture : PlatformFixture
{
    public static readonly string[] Environments = ["dev", "staging", "prod"];

    public static string ModelIn(string environment) => $"{environment}.ml.chain";

    protected override IDictionary<string, string?> OrchestratorSettings
    {
        get
        {
            var settings = new Dictionary<string, string?>();
            for (var i = 0; i < Environments.Length; i++)
            {
                settings[$"Pipeline:Models:{i}:Name"] = ModelIn(Environments[i]);
                settings[$"Pipeline:Models:{i}:FeatureTable"] = "churn_features";
                settings[$"Pipeline:Models:{i}:SourceTable"] = "raw.churn_customers";
            }
            return settings;
        }
    }
}
