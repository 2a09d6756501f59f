namespace Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;

/// <summary>How the fake workers treat one model's commands.</summary>
public sealed record FakeBehaviour
{
    public static readonly FakeBehaviour AnswersEverything = new();

    /// <summary>A command type (e.g. nameof(CheckCompliance)) the workers never answer.</summary>
    public string? NeverAnswers { get; init; }

    /// <summary>A command type whose first delivery per run goes unanswered, as if the reply were lost.</summary>
    public string? LosesFirstReplyTo { get; init; }

    /// <summary>When set, the evaluation rejects every challenger of the model.</summary>
    public bool RejectsChallenger { get; init; }

    /// <summary>When set, the feature refresh answers DataQualityViolated with these.</summary>
    public IReadOnlyList<string> Violations { get; init; } = [];
}
