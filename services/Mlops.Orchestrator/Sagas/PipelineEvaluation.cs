namespace Mlops.Orchestrator.Sagas;

/// <summary>The challenger-versus-champion comparison a run's promotion decision rests on.</summary>
public sealed record PipelineEvaluation
{
    public string Metric { get; init; } = "";
    public double ChallengerScore { get; init; }
    public double? ChampionScore { get; init; }
    public double RequiredScore { get; init; }
    public int HoldoutRows { get; init; }
    public bool Promote { get; init; }
    public string Reason { get; init; } = "";
}
