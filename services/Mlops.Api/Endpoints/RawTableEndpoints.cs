using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Http;
using Mlops.Api.Requests;
using Mlops.Api.Responses;
using Mlops.Catalog.Features;
using Mlops.Catalog.Raw;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Api.Endpoints;

/// <summary>
/// Bring your own data: register a raw table's schema (it creates raw."name"), then land CSV or JSON-lines files into it as
/// batches. A file streams straight into binary COPY while it is checked; a bad file is refused whole (422 naming each
/// problem's line and column) and nothing of it is stored. A client's batch id makes a retried upload land once.
/// </summary>
public static class RawTableEndpoints
{
    private static readonly string[] Environments = ["dev", "staging", "prod"];

    public static RouteGroupBuilder MapRawTableEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/raw/tables").WithTags("Raw data");
        group.MapPost("/", RegisterAsync).Answers<RawTableView>(StatusCodes.Status201Created, 409)
            .WithSummary("Register a raw table's schema and create raw.\"name\" (needs catalog.write in some environment); the identical schema again is 200");
        group.MapGet("/", ListAsync).Answers<IReadOnlyList<RawTableView>>(StatusCodes.Status200OK).WithSummary("The registered raw tables");
        group.MapGet("/{name}", ShowAsync).Answers<RawTableView>(StatusCodes.Status200OK, 404).WithSummary("One registered raw table");
        group.MapPost("/{name}/batches", LandAsync).Answers<RawBatchLanded>(StatusCodes.Status201Created, 404, 409, 413, 415, 422)
            .Accepts<string>("text/csv", "application/x-ndjson")
            .WithSummary("Land a CSV (header row) or JSON-lines file as a batch (needs catalog.write in the environment; publishes RawDataLanded)");
        return api;
    }

    private static async Task<IResult> RegisterAsync(RegisterRawTableRequest request, AccessGuard guard, RequestAudit audit, DbSession session,
        RawTables tables, CancellationToken cancellationToken)
    {
        var columns = request.Columns?.Select(c => (c?.Name, c?.Type, c?.Required)).ToList();
        var (schema, problems) = RawTableSchema.Create(request.Name, columns, request.Key, request.EventTime);
        if (schema is null)
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid request", string.Join(" ", problems.Select(p => p.Message)), problems[0].Field,
                new Dictionary<string, object?> { ["errors"] = problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()) });

        // A raw table serves every environment (each batch names its own), so writing the catalog in any one may register it.
        var catalog = Environments.FirstOrDefault(e => guard.Allows(Permissions.CatalogWrite, e)) ?? Environments[0];
        var resource = $"data:{schema.QualifiedName}";
        await guard.DemandAsync("raw_table.registered", Permissions.CatalogWrite, catalog, resource, cancellationToken);

        await session.BeginAsync(cancellationToken);
        bool created;
        try
        {
            created = await tables.RegisterAsync(session, schema, guard.Caller.Name, cancellationToken);
        }
        catch (RawTableConflictException conflict)
        {
            throw ApiProblemException.Conflict(conflict.Message, "name");
        }
        if (!created)
            return Results.Ok(RawTableView.Of(schema));
        await audit.AppendAsync(session, "raw_table.registered", resource,
            $"{schema.Columns.Count} columns, key ({string.Join(", ", schema.Key)}), event time {schema.EventTime ?? "none"}", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Json(RawTableView.Of(schema, created: true), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(AccessGuard guard, RawTables tables, CancellationToken cancellationToken)
    {
        await DemandReadAsync(guard, "raw_tables", cancellationToken);
        return Results.Ok((await tables.ListAsync(cancellationToken)).Select(t => RawTableView.Of(t)).ToList());
    }

    private static async Task<IResult> ShowAsync(string name, AccessGuard guard, RawTables tables, CancellationToken cancellationToken)
    {
        var local = TableName(name);
        await DemandReadAsync(guard, $"data:raw.{local}", cancellationToken);
        var table = await tables.FindAsync(local, cancellationToken) ?? throw ApiProblemException.NotFound("name", $"raw.{local} is not a registered raw table.");
        return Results.Ok(RawTableView.Of(table));
    }

    private static async Task<IResult> LandAsync(string name, string? environment, Guid? batchId, string? format, string? description, HttpContext context,
        AccessGuard guard, RequestAudit audit, DbSession session, RawTables tables, RawBatches batches, RawLanding landing, IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        var local = TableName(name);
        var env = Input.Environment(environment ?? "dev", "environment");
        var id = batchId is null ? Guid.CreateVersion7() : Input.Id(batchId, "batchId");
        var fileFormat = Format(format, context.Request.ContentType);
        var note = Input.OptionalText(description, "description", 2000);

        var resource = $"data:{env}/raw.{local}";
        await guard.DemandAsync("data.landed", Permissions.CatalogWrite, env, resource, cancellationToken);
        var table = await tables.FindAsync(local, cancellationToken)
                    ?? throw ApiProblemException.NotFound("name", $"raw.{local} is not a registered raw table: register its schema first (POST /api/raw/tables).");

        if (batchId is not null && await batches.FindAsync(id, cancellationToken) is { } landed)
        {
            if (landed.SourceTable != table.QualifiedName || landed.Environment != env)
                throw ApiProblemException.Conflict($"Batch {id} already landed into {landed.SourceTable} ({landed.Environment ?? "no environment"}): a batch id names one batch.", "batchId");
            // The batch id is the upload's idempotency key: a retry answers with the batch and lands nothing again.
            return Results.Ok(new RawBatchLanded(id, env, landed.SourceTable, landed.RowCount, new DateTimeOffset(landed.LandedAt, TimeSpan.Zero), Replayed: true));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.Value.MaxLandingBytes;

        await session.BeginAsync(cancellationToken);
        RawBatch batch;
        try
        {
            batch = await landing.LandFileAsync(session, table, new RawBatchHeader(id, env, guard.Caller.Name, note), context.Request.Body, fileFormat, cancellationToken);
        }
        catch (RawFileRefusedException refused)
        {
            throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, "File refused", refused.Message, "body", new Dictionary<string, object?>
            {
                ["problems"] = refused.Problems, ["truncated"] = refused.Truncated,
            });
        }
        catch (PostgresException exception) when (exception is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "batches_pkey" })
        {
            throw ApiProblemException.Conflict($"Batch {id} was landed by another request meanwhile: send this one again to see that batch.", "batchId");
        }
        await audit.AppendAsync(session, "data.landed", $"{resource}/{id}", $"{batch.RowCount} rows from a {(fileFormat == RawFileFormat.Csv ? "CSV" : "JSON-lines")} file" +
            (note is null ? "" : $": {note}"), cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Json(new RawBatchLanded(id, env, table.QualifiedName, batch.RowCount, new DateTimeOffset(batch.LandedAt, TimeSpan.Zero), Replayed: false),
            statusCode: StatusCodes.Status201Created);
    }

    private static string TableName(string name)
    {
        var local = RawTableSchema.LocalName(name);
        if (!SqlIdentifier.IsValid(local))
            throw ApiProblemException.Invalid("name", $"'{name}' is not a raw table name: use raw.<name> or <name>, lower-case letters, digits and underscores.");
        return local;
    }

    /// <summary>format=csv|jsonl wins; otherwise the content type says (text/csv; application/x-ndjson, application/jsonl). Only UTF-8 is read.</summary>
    private static RawFileFormat Format(string? format, string? contentType)
    {
        switch (format)
        {
            case "csv":
                return RawFileFormat.Csv;
            case "jsonl":
                return RawFileFormat.JsonLines;
            case not null:
                throw ApiProblemException.Invalid("format", $"'{format}' is not a file format: use csv or jsonl.");
        }
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Say what the file is: Content-Type text/csv or application/x-ndjson, or format=csv|jsonl.", "Content-Type");
        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Files are read as UTF-8; charset {media.Charset} is not.", "Content-Type");
        return media.MediaType.Value?.ToLowerInvariant() switch
        {
            "text/csv" => RawFileFormat.Csv,
            "application/x-ndjson" or "application/jsonl" or "application/x-jsonlines" => RawFileFormat.JsonLines,
            _ => throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"'{media.MediaType}' is not a landing format: send text/csv or application/x-ndjson, or say format=csv|jsonl.", "Content-Type"),
        };
    }

    private static Task DemandReadAsync(AccessGuard guard, string resource, CancellationToken cancellationToken)
    {
        var catalog = Environments.FirstOrDefault(e => guard.Allows(Permissions.CatalogRead, e)) ?? Environments[0];
        return guard.DemandAsync("raw_tables.read", Permissions.CatalogRead, catalog, resource, cancellationToken);
    }
}
