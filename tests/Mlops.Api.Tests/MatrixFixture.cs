using Mlops.Catalog.Registry;

namespace Mlops.Api.Tests;

/// <summary>One principal per seed role, and in every catalog a model with a champion and a run waiting for approval.</summary>
public sealed class MatrixFixture : ApiFixture
{
    public static readonly string[] Catalogs = ["dev", "staging", "prod"];

    public Dictionary<string, HttpClient> ByRole { get; } = [];

    public Dictionary<string, Guid> PendingRun { get; } = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        ByRole["admin"] = Admin;
        foreach (var role in new[] { "data_scientist", "ml_engineer", "devops_engineer", "model_consumer" })
            ByRole[role] = await PrincipalAsync(role.Replace('_', '-'), role);
        foreach (var catalog in Catalogs)
        {
            var model = $"{catalog}.ml.churn";
            var version = await RegisterVersionAsync(model);
            await SetAliasAsync(model, ModelAliases.Champion, version);
            PendingRun[catalog] = await RunAsync(model, requestedBy: "requester", releasedBy: "releaser");
        }
    }
}
