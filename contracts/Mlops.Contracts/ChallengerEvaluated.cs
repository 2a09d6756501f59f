namespace Mlops.Contracts;

/// <summary>The comparison of challenger and champion, and the decision.</summary>
public record ChallengerEvaluated
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The challenger.</summary>
    public int ChallengerVersion { get; init; }

    /// <summary>The champion it was compared with, if any.</summary>
    public int? ChampionVersion { get; init; }

    /// <summary>The deciding metric.</summary>
    public string Metric { get; init; } = "";

    /// <summary>The challenger's score on the holdout.</summary>
    public double ChallengerScore { get; init; }

    /// <summary>The champion's score on the same rows.</summary>
    public double? ChampionScore { get; init; }

    /// <summary>What the challenger had to reach.</summary>
    public double RequiredScore { get; init; }

    /// <summary>Rows scored.</summary>
    public int HoldoutRows { get; init; }

    /// <summary>Whether the challenger should become champion.</summary>
    public bool Promote { get; init; }

    /// <summary>The decision in words.</summary>
    public string Reason { get; init; } = "";
}
