using System.Globalization;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Sagas;

/// <summary>Why a run ended other than Completed, in words an operator can act on, with the numbers the worker reported.</summary>
public static class FailureReasons
{
    public static string Of(DataQualityViolated violation) =>
        $"Data quality violated in {violation.FeatureTable ?? "the feature table"}: {string.Join("; ", violation.Violations)}";

    public static string Of(FeatureRefreshFailed failure) => $"Feature refresh of {failure.FeatureTable} failed: {failure.Reason}";

    public static string Of(TrainingFailed failure) => $"Training failed: {failure.Reason}";

    public static string Of(ComplianceCheckFailed failure) =>
        $"Version {failure.Version} failed compliance ({failure.Mode}): " +
        string.Join("; ", failure.FailedRules.Select(rule => $"{rule.Rule}: {rule.Detail}"));

    public static string Of(EvaluationFailed failure) => $"Evaluation of version {failure.Version} failed: {failure.Reason}";

    public static string Of(ChallengerEvaluated evaluation) => $"Version {evaluation.ChallengerVersion} not promoted: {evaluation.Reason}";

    public static string Of(PromotionDenied denial) => $"Promotion denied by {denial.Principal}: {denial.Reason}";

    public static string Of(PromotionRejected rejection) => $"Promotion of version {rejection.Version} rejected: {rejection.Reason}";

    public static string Of(CancelPipelineRun cancel, string? step) =>
        $"Cancelled by {cancel.Principal} in {step}: {cancel.Reason}";

    public static string Of(ExpirePipelineRun expire) =>
        $"Step {expire.Step} timed out: its deadline {expire.StepDeadlineAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z passed more than " +
        $"{expire.GracePeriod.ToString("c", CultureInfo.InvariantCulture)} ago and its deadline message never came (swept).";

    public static string ApprovalExpired(int? version, TimeSpan timeout, DateTimeOffset? deadline) =>
        $"Approval expired: nobody approved or denied the promotion of version {version} within {timeout.ToString("c", CultureInfo.InvariantCulture)} " +
        $"(deadline {deadline?.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z).";

    public static string TimedOut(string step, string command, TimeSpan timeout, int attempts) =>
        $"Step {step} timed out: no reply to {command} within {timeout.ToString("c", CultureInfo.InvariantCulture)}, {attempts} attempts.";
}
