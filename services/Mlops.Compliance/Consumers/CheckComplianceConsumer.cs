using MassTransit;
using Microsoft.Extensions.Options;
using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Telemetry;

namespace Mlops.Compliance.Consumers;

/// <summary>
/// Checks a model version against its model's rules, records every result as tags on the version, and archives a version
/// that fails enforced rules. Checking again gives the same verdict and publishes it again, but rewrites nothing that is
/// already recorded.
/// </summary>
public sealed class CheckComplianceConsumer(
    DbSession session,
    ModelRegistry registry,
    ComplianceRules rules,
    IOptions<ComplianceOptions> options,
    TimeProvider clock,
    MessageAudit audit,
    ILogger<CheckComplianceConsumer> logger) : IConsumer<CheckCompliance>
{
    public async Task Consume(ConsumeContext<CheckCompliance> context)
    {
        var message = context.Message;
        var cancellationToken = context.CancellationToken;
        using var activity = MlopsTelemetry.StartStep("check compliance", message.CorrelationId, message.ModelName, message.Environment, message.Version);

        ModelName name;
        try
        {
            name = ModelName.Parse(message.ModelName, message.Environment);
        }
        catch (ArgumentException exception)
        {
            await AuditAsync(context, AuditOutcomes.Failed, exception.Message);
            await PublishFailedAsync(context, options.Value.Mode, [Fail(ComplianceRules.ValidModelName, exception.Message)]);
            return;
        }

        var problems = new List<string>();
        ComplianceOptionsValidator.CheckPolicy(problems, nameof(CheckCompliance), message.Mode, null,
            new Dictionary<string, double>(message.MetricFloors ?? new Dictionary<string, double>()));
        if (problems.Count > 0)
        {
            // Asked for rules nobody can check against: refused, not passed under rules nobody meant.
            logger.LogWarning("Compliance of {ModelName} v{Version} cannot be checked: {Problems}", name, message.Version, string.Join(" ", problems));
            await AuditAsync(context, AuditOutcomes.Failed, string.Join(" ", problems));
            await PublishFailedAsync(context, options.Value.Mode, problems.Select(p => Fail(ComplianceRules.ValidPolicy, p)).ToList());
            return;
        }

        var policy = options.Value.PolicyFor(name, message);
        var version = await registry.FindVersionAsync(session, name.FullName, message.Version, cancellationToken);
        if (version is null)
        {
            logger.LogWarning("Compliance of {ModelName} v{Version} cannot be checked: no such version", name, message.Version);
            await AuditAsync(context, AuditOutcomes.Failed, $"{name} has no version {message.Version}");
            await PublishFailedAsync(context, policy.Mode, [Fail(ComplianceRules.VersionExists, $"{name} has no version {message.Version}")]);
            return;
        }

        var results = policy.Mode == ComplianceModes.Disabled ? [] : await rules.EvaluateAsync(version, policy, cancellationToken);
        var outcome = new ComplianceOutcome(policy.Mode, results);
        activity?.SetTag("mlops.compliance.status", outcome.Status);

        if (!outcome.IsRecordedIn(version.Tags))
            await registry.SetTagsAsync(session, name.FullName, version.Version, outcome.TagsCheckedAt(clock.GetUtcNow()), cancellationToken);

        if (outcome.Blocks)
        {
            if (version.Status != "archived")
                await registry.ArchiveAsync(session, name.FullName, version.Version, cancellationToken);
            logger.LogWarning("{ModelName} v{Version} failed {Count} enforced compliance rules and was archived: {Rules}",
                name, version.Version, outcome.Failures.Count, string.Join(", ", outcome.Failures.Select(f => f.Rule)));
            await AuditAsync(context, AuditOutcomes.Failed,
                $"{outcome.Mode}: failed {string.Join(", ", outcome.Failures.Select(f => f.Rule))}; archived");
            await PublishFailedAsync(context, outcome.Mode, outcome.Failures);
            return;
        }

        await AuditAsync(context, AuditOutcomes.Succeeded, $"{outcome.Mode}: {outcome.Status}, {outcome.Results.Count} rules");
        logger.LogInformation("{ModelName} v{Version} compliance {Status} in mode {Mode}", name, version.Version, outcome.Status, outcome.Mode);
        await context.Publish(new ComplianceCheckPassed
        {
            CorrelationId = message.CorrelationId, ModelName = message.ModelName, Environment = message.Environment, Principal = message.Principal,
            Version = message.Version, Mode = outcome.Mode, Results = outcome.Results,
        }, cancellationToken);
    }

    private Task AuditAsync(ConsumeContext<CheckCompliance> context, string outcome, string detail) =>
        audit.AppendAsync(session, context, context.Message.Principal, "compliance.checked", $"model:{context.Message.ModelName}@{context.Message.Version}",
            detail, outcome);

    private static Task PublishFailedAsync(ConsumeContext<CheckCompliance> context, string mode, IReadOnlyList<ComplianceRuleResult> failures) =>
        context.Publish(new ComplianceCheckFailed
        {
            CorrelationId = context.Message.CorrelationId, ModelName = context.Message.ModelName, Environment = context.Message.Environment,
            Principal = context.Message.Principal, Version = context.Message.Version, Mode = mode, FailedRules = failures,
        }, context.CancellationToken);

    private static ComplianceRuleResult Fail(string rule, string detail) => new() { Rule = rule, Passed = false, Detail = detail };
}
