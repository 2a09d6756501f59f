namespace Mlops.Orchestrator.Configuration;

/// <summary>
/// How long each step of a run waits for its reply before the command is sent once more, and after that once more
/// before the run ends TimedOut. Named after the saga's states.
/// </summary>
public sealed class PipelineStepTimeouts
{
    public TimeSpan RefreshingFeatures { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan Training { get; set; } = TimeSpan.FromMinutes(60);

    public TimeSpan CheckingCompliance { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan Evaluating { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a run waits for approval: then it ends Rejected. Approvers are reminded Pipeline:ApprovalReminderBefore earlier.</summary>
    public TimeSpan AwaitingApproval { get; set; } = TimeSpan.FromDays(2);

    public TimeSpan Promoting { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<(string Step, TimeSpan Timeout)> All() =>
    [
        (nameof(RefreshingFeatures), RefreshingFeatures),
        (nameof(Training), Training),
        (nameof(CheckingCompliance), CheckingCompliance),
        (nameof(Evaluating), Evaluating),
        (nameof(AwaitingApproval), AwaitingApproval),
        (nameof(Promoting), Promoting),
    ];
}
