namespace Mlops.Hosting.Identity;

/// <summary>The roles a principal can hold. What each may do per catalog is <see cref="AccessMatrix"/>.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string DataScientist = "data_scientist";
    public const string MlEngineer = "ml_engineer";
    public const string DevOpsEngineer = "devops_engineer";
    public const string ModelConsumer = "model_consumer";

    /// <summary>Not a seed role: the explicit right to roll a model back to a version that was never its champion.</summary>
    public const string RollbackOverride = "rollback_override";

    public static readonly IReadOnlyList<string> All = [Admin, DataScientist, MlEngineer, DevOpsEngineer, ModelConsumer, RollbackOverride];
}
