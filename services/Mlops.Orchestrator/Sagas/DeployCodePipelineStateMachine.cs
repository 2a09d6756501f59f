using System.Linq.Expressions;
using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Contracts;
using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Sagas;

/// <summary>
/// The deploy-code pipeline: refresh features, train, check compliance, evaluate against the champion, (wait for
/// approval,) promote. Every step has a durable deadline: its command is published once more when it passes, and the
/// run times out when it passes again; waiting for approval, the approvers are reminded before the deadline instead, and
/// the run ends Rejected when it passes. A "no" from a decision (compliance, evaluation, approver, the promotion's
/// champion guard) ends the run Rejected; a step that broke ends it Failed. An operator can end an active run by hand
/// (Cancelled), and the orchestrator's sweeper ends one whose deadline message was lost (TimedOut). Replies the run no
/// longer waits for are ignored and noted in its history; replies for runs that do not exist are discarded.
/// </summary>
public sealed partial class DeployCodePipelineStateMachine : MassTransitStateMachine<DeployCodePipelineState>
{
    /// <summary>The Source of the DataQualityViolated monitoring raises (an alert, never a pipeline reply).</summary>
    public const string MonitoringQualitySource = "monitoring";

    private static readonly HashSet<string> FinalStates = [nameof(Completed), nameof(Rejected), nameof(Failed), nameof(TimedOut), nameof(Cancelled)];

    private readonly TimeProvider _clock;
    private readonly ILogger<DeployCodePipelineStateMachine> _logger;

    public DeployCodePipelineStateMachine(IOptions<PipelineOptions> options, TimeProvider clock, ILogger<DeployCodePipelineStateMachine> logger)
    {
        _clock = clock;
        _logger = logger;
        var timeouts = options.Value.StepTimeouts;

        InstanceState(x => x.CurrentState);

        Event(() => StartPipelineRun, e => e.CorrelateById(x => x.Message.CorrelationId));
        Reply(() => FeatureTableRefreshed, m => m.CorrelationId);
        // Monitoring raises DataQualityViolated too, about a model's live traffic: its CorrelationId is an alert's, not a run's.
        // Webhooks carry it to people; the saga drops it quietly, and a run never takes it for its feature refresh's answer.
        Event(() => DataQualityViolated, e => e
            .CorrelateById(x => x.Message.CorrelationId)
            .OnMissingInstance(m => m.Execute(DiscardUnlessMonitoring)));
        Reply(() => FeatureRefreshFailed, m => m.CorrelationId);
        Reply(() => ModelRegistered, m => m.CorrelationId);
        Reply(() => TrainingFailed, m => m.CorrelationId);
        Reply(() => ComplianceCheckPassed, m => m.CorrelationId);
        Reply(() => ComplianceCheckFailed, m => m.CorrelationId);
        Reply(() => ChallengerEvaluated, m => m.CorrelationId);
        Reply(() => EvaluationFailed, m => m.CorrelationId);
        Reply(() => PromotionApproved, m => m.CorrelationId);
        Reply(() => PromotionDenied, m => m.CorrelationId);
        Reply(() => ModelPromoted, m => m.CorrelationId);
        Reply(() => PromotionRejected, m => m.CorrelationId);
        Reply(() => CancelPipelineRun, m => m.CorrelationId);
        Reply(() => ExpirePipelineRun, m => m.CorrelationId);

        Schedule(() => StepDeadline, x => x.StepDeadlineTokenId, s => s.Received = e => e
            .CorrelateById(x => x.Message.CorrelationId)
            .OnMissingInstance(m => m.Execute(DiscardForUnknownRun)));

        OnUnhandledEvent(IgnoreLateMessage);

        var refresh = Step(RefreshingFeatures, PipelineCommands.RefreshFeatures, timeouts.RefreshingFeatures);
        var train = Step(Training, PipelineCommands.TrainModel, timeouts.Training);
        var checkCompliance = Step(CheckingCompliance, PipelineCommands.CheckCompliance, timeouts.CheckingCompliance);
        var evaluate = Step(Evaluating, PipelineCommands.EvaluateChallenger, timeouts.Evaluating);
        var approval = new ApprovalDeadline(timeouts.AwaitingApproval, options.Value.ApprovalReminderBefore, StepDeadline, _clock, _logger);
        var promote = Step(Promoting, PipelineCommands.PromoteModel, timeouts.Promoting);

        Initially(
            When(StartPipelineRun)
                .Then(x => x.Saga.Begin(x.Message, Now))
                .ThenAsync(x => RunAudit.AppendAsync(x, "run.started",
                    $"{x.Saga.ModelName} by {x.Saga.Trigger} ({x.Saga.TriggerDetail}), code {x.Saga.CodeVersion}"))
                .Then(x => x.RecordStarted())
                .StartStep(refresh));

        During(RefreshingFeatures,
            When(FeatureTableRefreshed)
                .Then(x => x.Saga.Apply(x.Message, Now))
                .StartStep(train),
            When(DataQualityViolated, x => x.Message.Source != MonitoringQualitySource)
                .Then(x => x.Saga.EndWith(FailureReasons.Of(x.Message), Now))
                .TransitionTo(Failed),
            Ignore(DataQualityViolated, x => x.Message.Source == MonitoringQualitySource),
            When(FeatureRefreshFailed)
                .Then(x => x.Saga.EndWith(FailureReasons.Of(x.Message), Now))
                .TransitionTo(Failed),
            When(StepDeadline.Received)
                .RetryOrTimeOut(refresh, TimedOut));

        During(Training,
            When(ModelRegistered)
                .Then(x => x.Saga.Apply(x.Message, Now))
                .StartStep(checkCompliance),
            When(TrainingFailed)
                .Then(x => x.Saga.EndWith(FailureReasons.Of(x.Message), Now))
                .TransitionTo(Failed),
            When(StepDeadline.Received)
                .RetryOrTimeOut(train, TimedOut));

        During(CheckingCompliance,
            When(ComplianceCheckPassed)
                .Then(x => x.Saga.Apply(x.Message, Now))
                .StartStep(evaluate),
            When(ComplianceCheckFailed)
                .Then(x => x.Saga.EndWith(FailureReasons.Of(x.Message), Now))
                .TransitionTo(Rejected),
            When(StepDeadline.Received)
                .RetryOrTimeOut(checkCompliance, TimedOut));

        During(Evaluating,
            When(ChallengerEvaluated, x => !x.Message.Promote)
                .Then(x => x.Saga.Apply(x.Message, Now))
                .Then(x => x.Saga.EndWith(FailureReasons.Of(x.Message), Now))
                .TransitionTo(Rejected),
            When(ChallengerEvaluated, x => x.Message.Promote && x.Saga.RequireApproval)
                .Then(x => x.Saga.Apply(x.Message, Now))
                .AwaitApproval(approval, AwaitingApproval),
            When(ChallengerEvaluated, x => x.Message.Promote && !x.Saga.RequireApproval)
                .Then(x => x.Saga.Apply(x.Message, Now))
                .StartStep(promote),
            When(EvaluationFailed)
                .Then(x => x.Saga.EndWith(FailureReasons.Of(x.Message), Now))
                .TransitionTo(Failed),
            // The promotion service says "no" twice, as ChallengerEvaluated and as PromotionRejected: the evaluation decides, in any order.
            Ignore(PromotionRejected),
            When(StepDeadline.Received)
                .RetryOrTimeOut(evaluate, TimedOut));

        During(AwaitingApproval,
            When(PromotionApproved)
                .Then(x => x.Saga.Apply(x.Message, Now))
                .StartStep(promote),
            When(PromotionDenied)
                .Then(x => x.Saga.EndWith(FailureReasons.Of(x.Message), Now))
                .TransitionTo(Rejected),
            When(StepDeadline.Received)
                .RemindOrExpire(approval, Rejected));

        During(Promoting,
            When(ModelPromoted)
                .Then(x => x.Saga.Apply(x.Message, Now))
                .TransitionTo(Completed),
            When(PromotionRejected)
                .Then(x => x.Saga.EndWith(FailureReasons.Of(x.Message), Now))
                .TransitionTo(Rejected),
            When(StepDeadline.Received)
                .RetryOrTimeOut(promote, TimedOut));

        During(Rejected,
            Ignore(PromotionRejected));

        // Ending a run goes through the saga like any other event, never by writing its row: the transition, its history,
        // the Unschedule of its deadline and PipelineRunFinished (which frees the lane and starts its follow-up) then
        // commit together, and a reply racing the end is settled by the saga's optimistic concurrency. In a final state
        // both messages are unhandled: the run answers, in its history, that it already finished.
        During([RefreshingFeatures, Training, CheckingCompliance, Evaluating, AwaitingApproval, Promoting],
            When(CancelPipelineRun)
                .Then(x => x.Saga.EndWith(FailureReasons.Of(x.Message, x.Saga.CurrentState), Now))
                .TransitionTo(Cancelled),
            When(ExpirePipelineRun, x => x.Saga.IsStillOverdue(x.Message))
                .Then(x => LogRunExpired(x.Saga.CorrelationId, x.Message.Step, x.Message.StepDeadlineAt, x.Message.GracePeriod))
                .Then(x => x.Saga.EndWith(FailureReasons.Of(x.Message), Now))
                .TransitionTo(TimedOut),
            When(ExpirePipelineRun, x => !x.Saga.IsStillOverdue(x.Message))
                .Then(x => x.Saga.Note(Now, $"Not expired: the sweeper saw {x.Message.Step} past its deadline {x.Message.StepDeadlineAt:u}, but the run moved on since")));

        foreach (var final in new[] { Completed, Rejected, Failed, TimedOut, Cancelled })
        {
            WhenEnter(final, x => x
                .FinishRun(StepDeadline, _clock)
                .Then(context => LogRunFinished(context.Saga)));
        }
    }

    public static bool IsFinal(string state) => FinalStates.Contains(state);

    /// <summary>The names of the states a run ends in, e.g. for SQL over the runs table.</summary>
    public static string[] FinalStateNames => [.. FinalStates];

    public State RefreshingFeatures { get; private set; } = null!;
    public State Training { get; private set; } = null!;
    public State CheckingCompliance { get; private set; } = null!;
    public State Evaluating { get; private set; } = null!;
    public State AwaitingApproval { get; private set; } = null!;
    public State Promoting { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Rejected { get; private set; } = null!;
    public State Failed { get; private set; } = null!;
    public State TimedOut { get; private set; } = null!;
    public State Cancelled { get; private set; } = null!;

    public Event<StartPipelineRun> StartPipelineRun { get; private set; } = null!;
    public Event<FeatureTableRefreshed> FeatureTableRefreshed { get; private set; } = null!;
    public Event<DataQualityViolated> DataQualityViolated { get; private set; } = null!;
    public Event<FeatureRefreshFailed> FeatureRefreshFailed { get; private set; } = null!;
    public Event<ModelRegistered> ModelRegistered { get; private set; } = null!;
    public Event<TrainingFailed> TrainingFailed { get; private set; } = null!;
    public Event<ComplianceCheckPassed> ComplianceCheckPassed { get; private set; } = null!;
    public Event<ComplianceCheckFailed> ComplianceCheckFailed { get; private set; } = null!;
    public Event<ChallengerEvaluated> ChallengerEvaluated { get; private set; } = null!;
    public Event<EvaluationFailed> EvaluationFailed { get; private set; } = null!;
    public Event<PromotionApproved> PromotionApproved { get; private set; } = null!;
    public Event<PromotionDenied> PromotionDenied { get; private set; } = null!;
    public Event<ModelPromoted> ModelPromoted { get; private set; } = null!;
    public Event<PromotionRejected> PromotionRejected { get; private set; } = null!;
    public Event<CancelPipelineRun> CancelPipelineRun { get; private set; } = null!;
    public Event<ExpirePipelineRun> ExpirePipelineRun { get; private set; } = null!;

    public Schedule<DeployCodePipelineState, PipelineStepTimedOut> StepDeadline { get; private set; } = null!;

    private DateTimeOffset Now => _clock.GetUtcNow();

    private PipelineStep<TCommand> Step<TCommand>(State state, Func<DeployCodePipelineState, TCommand> command, TimeSpan timeout)
        where TCommand : class =>
        new(state, command, timeout, StepDeadline, _clock, _logger);

    /// <summary>A worker's reply, found by the run id it carries; a reply for a run that does not exist is discarded.</summary>
    private void Reply<T>(Expression<Func<Event<T>>> @event, Func<T, Guid> runId)
        where T : class =>
        Event(@event, e => e
            .CorrelateById(x => runId(x.Message))
            .OnMissingInstance(m => m.Execute(DiscardForUnknownRun)));

    private void DiscardForUnknownRun<T>(ConsumeContext<T> context)
        where T : class =>
        LogUnknownRun(typeof(T).Name, context.CorrelationId);

    private void DiscardUnlessMonitoring(ConsumeContext<DataQualityViolated> context)
    {
        if (context.Message.Source == MonitoringQualitySource)
            LogMonitoringAlert(context.Message.ModelName, context.Message.CorrelationId);
        else
            DiscardForUnknownRun(context);
    }

    /// <summary>A late or repeated reply for a step the run already left (e.g. the answer to a command sent twice).</summary>
    private Task IgnoreLateMessage(UnhandledEventContext<DeployCodePipelineState> context)
    {
        LogLateMessage(context.Event.Name, context.Saga.CorrelationId, context.CurrentState.Name);
        context.Saga.Note(Now, $"Ignored {context.Event.Name}: the run is {context.CurrentState.Name}");
        return context.Ignore();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored {Event} for run {RunId}: the run is {State}")]
    private partial void LogLateMessage(string @event, Guid runId, string state);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Run {RunId} is stuck in {Step}: its deadline {DeadlineAt:u} passed more than {GracePeriod} ago and its deadline message never came; ending it TimedOut")]
    private partial void LogRunExpired(Guid runId, string step, DateTimeOffset deadlineAt, TimeSpan gracePeriod);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DataQualityViolated from monitoring about {ModelName} (alert {AlertId}) is no pipeline reply: left to its subscribers")]
    private partial void LogMonitoringAlert(string modelName, Guid alertId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discarded {MessageType} for run {RunId}: no such pipeline run")]
    private partial void LogUnknownRun(string messageType, Guid? runId);

    private void LogRunFinished(DeployCodePipelineState run) =>
        LogRunFinished(run.FailureReason is null ? LogLevel.Information : LogLevel.Warning,
            run.CorrelationId, run.ModelName, run.CurrentState, run.FailureReason ?? $"version {run.ModelVersion} is champion");

    [LoggerMessage(Message = "Run {RunId} of {ModelName} finished {Outcome}: {Reason}")]
    private partial void LogRunFinished(LogLevel level, Guid runId, string modelName, string? outcome, string reason);
}
