namespace Mlops.Api.Responses;

public sealed record RunEvaluation(string Metric, double ChallengerScore, double? ChampionScore, double RequiredScore, int HoldoutRows, bool Promote, string Reason);
