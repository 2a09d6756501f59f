using MassTransit;
using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Http;
using Mlops.Api.Requests;
using Mlops.Api.Responses;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;

namespace Mlops.Api.Endpoints;

/// <summary>Upstream pipelines (Python, Spark, CI, Airflow) announce data, labels and code over HTTP instead of MassTransit's envelope.</summary>
public static class IngestionEndpoints
{
    public const int MaxLabels = 100_000;

    public static RouteGroupBuilder MapIngestionEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/ingestion").WithTags("Ingestion");
        group.MapPost("/data-landed", DataLandedAsync).Answers<AcceptedMessage>(StatusCodes.Status202Accepted, 422, 409)
            .WithSummary("A batch of raw rows landed (publishes RawDataLanded)");
        group.MapPost("/labels-landed", LabelsLandedAsync).Answers<AcceptedMessage>(StatusCodes.Status202Accepted, 422, 409)
            .WithSummary("Ground-truth labels landed (publishes GroundTruthLanded)");
        group.MapPost("/code-released", CodeReleasedAsync).Answers<AcceptedMessage>(StatusCodes.Status202Accepted, 422, 409)
            .WithSummary("Training code was released (publishes TrainingCodeReleased)");
        return api;
    }

    private static async Task<IResult> DataLandedAsync(DataLandedRequest request, AccessGuard guard, RequestAudit audit, DbSession session,
        OutboxPublisher publisher, TimeProvider time, CancellationToken cancellationToken)
    {
        var environment = Input.Environment(request.Environment, "environment");
        var batchId = Input.Id(request.BatchId, "batchId");
        var sourceTable = Input.Text(request.SourceTable, "sourceTable", 127);
        var parts = sourceTable.Split('.');
        if (parts.Length != 2 || !parts.All(Mlops.Hosting.Data.SqlIdentifier.IsValid))
            throw ApiProblemException.Invalid("sourceTable", $"'{sourceTable}' is not a table name: expected schema.table in lower-case letters, digits and underscores.");
        if (request.RowCount is not > 0)
            throw ApiProblemException.Invalid("rowCount", "rowCount must be a positive number of rows.");

        var resource = $"data:{environment}/{sourceTable}/{batchId}";
        await guard.DemandAsync("data.landed", Permissions.CatalogWrite, environment, resource, cancellationToken);
        var message = new RawDataLanded
        {
            Environment = environment, Principal = guard.Caller.Name, BatchId = batchId, SourceTable = sourceTable, RowCount = request.RowCount.Value,
            LandedAt = request.LandedAt ?? time.GetUtcNow(),
        };
        return await PublishAsync(session, publisher, audit, message, "data.landed", resource, $"{message.RowCount} rows", null, cancellationToken);
    }

    private static async Task<IResult> LabelsLandedAsync(LabelsLandedRequest request, AccessGuard guard, RequestAudit audit, DbSession session,
        OutboxPublisher publisher, CancellationToken cancellationToken)
    {
        var model = Input.Model(request.ModelName, "modelName");
        if (request.Labels is not { Count: > 0 } labels)
            throw ApiProblemException.Invalid("labels", "labels must hold at least one label.");
        if (labels.Count > MaxLabels)
            throw ApiProblemException.Invalid("labels", $"labels holds more than {MaxLabels} labels: send them in several requests.");
        var checkedLabels = new List<GroundTruthLabel>(labels.Count);
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i] ?? throw ApiProblemException.Invalid($"labels[{i}]", $"labels[{i}] is empty.");
            var requestId = Input.Id(label.RequestId, $"labels[{i}].requestId");
            if (label.RowIndex is not >= 0)
                throw ApiProblemException.Invalid($"labels[{i}].rowIndex", $"labels[{i}].rowIndex must be 0 or more.");
            if (label.Label is not (0 or 1))
                throw ApiProblemException.Invalid($"labels[{i}].label", $"labels[{i}].label must be 0 or 1.");
            checkedLabels.Add(new GroundTruthLabel { RequestId = requestId, RowIndex = label.RowIndex.Value, Label = label.Label.Value });
        }

        var resource = AuditQueries.ModelResource(model.FullName);
        await guard.DemandAsync("labels.landed", Permissions.CatalogWrite, model.Catalog, resource, cancellationToken);
        var message = new GroundTruthLanded { ModelName = model.FullName, Environment = model.Catalog, Principal = guard.Caller.Name, Labels = checkedLabels };
        return await PublishAsync(session, publisher, audit, message, "labels.landed", resource, $"{checkedLabels.Count} labels", null, cancellationToken);
    }

    private static async Task<IResult> CodeReleasedAsync(CodeReleasedRequest request, AccessGuard guard, RequestAudit audit, DbSession session,
        OutboxPublisher publisher, CancellationToken cancellationToken)
    {
        var model = Input.Model(request.ModelName, "modelName");
        var codeVersion = Input.Token(request.CodeVersion, "codeVersion");
        var trainer = Input.Identifier(request.Trainer ?? "logistic_regression", "trainer");
        var parameters = Input.Pairs(request.Parameters, "parameters");
        var tags = Input.Pairs(request.Tags, "tags");
        var description = Input.OptionalText(request.Description, "description", 2000);

        var resource = AuditQueries.ModelResource(model.FullName);
        await guard.DemandAsync("code.released", Permissions.ModelsWrite, model.Catalog, resource, cancellationToken);
        var message = new TrainingCodeReleased
        {
            ModelName = model.FullName, Environment = model.Catalog, Principal = guard.Caller.Name, CodeVersion = codeVersion, Trainer = trainer,
            Parameters = parameters, Tags = tags, Description = description,
        };
        return await PublishAsync(session, publisher, audit, message, "code.released", resource, $"code {codeVersion} ({trainer})", null, cancellationToken);
    }

    /// <summary>Publishes through the outbox and audits, in one transaction: both happen or neither.</summary>
    internal static async Task<IResult> PublishAsync<T>(DbSession session, OutboxPublisher publisher, RequestAudit audit, T message, string action,
        string resource, string detail, Guid? correlationId, CancellationToken cancellationToken)
        where T : class
    {
        var messageId = Guid.NewGuid();
        await session.BeginAsync(cancellationToken);
        await publisher.For(session).Publish(message, Pipe.Execute<PublishContext<T>>(context => context.MessageId = messageId), cancellationToken);
        await audit.AppendAsync(session, action, resource, $"{detail}; message {messageId}", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Accepted(value: new AcceptedMessage(messageId, typeof(T).Name, correlationId));
    }
}
