using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Data;
using Mlops.Api.Http;
using Mlops.Api.Requests;
using Mlops.Api.Responses;
using Mlops.Hosting.Data;
using Mlops.Hosting.Secrets;

namespace Mlops.Api.Endpoints;

/// <summary>
/// Webhook subscriptions, their delivery log and replays (services/Mlops.Notifications sends them; docs/webhooks.md).
/// A subscription about one model needs models.write in that model's catalog; a registry-wide one (every model, and
/// security alerts) needs webhooks.manage, which only admins hold. The same right reads and changes it afterwards.
/// </summary>
public static class WebhookEndpoints
{
    /// <summary>Registry-wide subscriptions: no role is granted it, so only admin holds it.</summary>
    public const string WebhooksManage = "webhooks.manage";

    private const int MinSecretLength = 24;
    private const int MaxSecretLength = 200;

    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/webhooks").WithTags("Webhooks");
        group.MapGet("/event-types", EventTypesAsync).Answers<IReadOnlyList<WebhookEventType>>(StatusCodes.Status200OK)
            .WithSummary("The event types a subscription can name");
        group.MapGet("/", ListAsync).Answers<IReadOnlyList<WebhookSubscription>>(StatusCodes.Status200OK)
            .WithSummary("The subscriptions the caller may manage");
        group.MapPost("/", CreateAsync).Answers<WebhookSubscription>(StatusCodes.Status201Created, 422, 503)
            .WithSummary("Subscribe a URL to events of one model or of the whole registry (the secret is stored encrypted, never shown again)");
        group.MapGet("/{id:guid}", ShowAsync).Answers<WebhookSubscription>(StatusCodes.Status200OK, 404).WithSummary("One subscription");
        group.MapDelete("/{id:guid}", DeleteAsync).Answers<WebhookSubscription>(StatusCodes.Status200OK, 404, 409)
            .WithSummary("Delete a subscription: nothing more is sent to it; its delivery log stays");
        group.MapPost("/{id:guid}/enable", EnableAsync).Answers<WebhookSubscription>(StatusCodes.Status200OK, 404, 409, 422)
            .WithSummary("Enable a subscription disabled by a 410 Gone: its waiting deliveries go out, in order");
        group.MapGet("/{id:guid}/deliveries", DeliveriesAsync).Answers<IReadOnlyList<WebhookDelivery>>(StatusCodes.Status200OK, 404)
            .WithSummary("The delivery log, newest first: status (pending, delivered, failed), attempts, the receiver's last answer");
        group.MapPost("/{id:guid}/replay", ReplayAsync).Answers<WebhookReplay>(StatusCodes.Status202Accepted, 404, 409, 422)
            .WithSummary("Send again every event of [from, to) as new deliveries (new delivery ids, same event ids), after those already queued");
        return api;
    }

    private static async Task<IResult> EventTypesAsync(WebhookQueries webhooks, CancellationToken cancellationToken) =>
        Results.Ok(await webhooks.EventTypesAsync(cancellationToken));

    private static async Task<IResult> ListAsync(bool? includeDeleted, AccessGuard guard, WebhookQueries webhooks, CancellationToken cancellationToken)
    {
        var all = await webhooks.ListAsync(includeDeleted ?? false, cancellationToken);
        return Results.Ok(all.Where(s => CanManage(guard, s.Model)).ToList());
    }

    private static async Task<IResult> CreateAsync(CreateWebhookRequest request, AccessGuard guard, WebhookQueries webhooks, SecretBox secrets, RequestAudit audit,
        DbSession session, CancellationToken cancellationToken)
    {
        var url = Url(request.Url);
        var model = request.Model is null ? null : Input.Model(request.Model, "model").FullName;
        var secret = Secret(request.Secret);
        var description = Input.Text(request.Description, "description", 500, required: false);
        var eventTypes = await CheckedEventTypesAsync(request.EventTypes, model, webhooks, cancellationToken);

        var id = Guid.NewGuid();
        await DemandAsync(guard, "webhook.create", model, Resource(id), cancellationToken);
        if (!secrets.HasKey)
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, "Webhooks are not configured",
                $"{SecretBoxOptions.Section}:Key is not set, so a webhook secret cannot be stored encrypted; an operator sets {SecretBoxOptions.Section}__Key.");

        await session.BeginAsync(cancellationToken);
        await webhooks.CreateAsync(session, id, url, model, eventTypes, secrets.Encrypt(secret, id.ToString("D")), description, guard.Caller.Name, cancellationToken);
        await audit.AppendAsync(session, "webhook.create", Resource(id),
            $"{url} for {model ?? "the whole registry"}: {string.Join(", ", eventTypes)}", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Created($"/api/webhooks/{id}", await webhooks.FindAsync(id, cancellationToken));
    }

    private static async Task<IResult> ShowAsync(Guid id, AccessGuard guard, WebhookQueries webhooks, CancellationToken cancellationToken) =>
        Results.Ok(await ManagedAsync(id, "webhook.show", guard, webhooks, cancellationToken));

    private static async Task<IResult> DeleteAsync(Guid id, AccessGuard guard, WebhookQueries webhooks, RequestAudit audit, DbSession session,
        CancellationToken cancellationToken)
    {
        await ManagedAsync(id, "webhook.delete", guard, webhooks, cancellationToken);
        await session.BeginAsync(cancellationToken);
        if (!await webhooks.SetStatusAsync(session, id, ["active", "disabled"], "deleted", $"deleted by {guard.Caller.Name}", cancellationToken))
            throw ApiProblemException.Conflict($"Webhook subscription {id} is already deleted.", "id");
        await audit.AppendAsync(session, "webhook.delete", Resource(id), "", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Ok(await webhooks.FindAsync(id, cancellationToken));
    }

    private static async Task<IResult> EnableAsync(Guid id, EnableWebhookRequest? request, AccessGuard guard, WebhookQueries webhooks, RequestAudit audit,
        DbSession session, CancellationToken cancellationToken)
    {
        var reason = Input.OptionalText(request?.Reason, "reason", 500);
        await ManagedAsync(id, "webhook.enable", guard, webhooks, cancellationToken);
        var note = reason is null ? $"enabled by {guard.Caller.Name}" : $"enabled by {guard.Caller.Name}: {reason}";
        await session.BeginAsync(cancellationToken);
        if (!await webhooks.SetStatusAsync(session, id, ["disabled"], "active", note, cancellationToken))
            throw ApiProblemException.Conflict($"Webhook subscription {id} is not disabled.", "id");
        await audit.AppendAsync(session, "webhook.enable", Resource(id), reason ?? "", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Ok(await webhooks.FindAsync(id, cancellationToken));
    }

    private static async Task<IResult> DeliveriesAsync(Guid id, string? status, DateTimeOffset? from, DateTimeOffset? to, int? limit, AccessGuard guard,
        WebhookQueries webhooks, CancellationToken cancellationToken)
    {
        if (status is not (null or "pending" or "delivered" or "failed"))
            throw ApiProblemException.Invalid("status", $"'{status}' is not a delivery status: use pending, delivered or failed.");
        var max = Input.Limit(limit);
        await ManagedAsync(id, "webhook.deliveries", guard, webhooks, cancellationToken);
        return Results.Ok(await webhooks.DeliveriesAsync(id, status, from, to, max, cancellationToken));
    }

    private static async Task<IResult> ReplayAsync(Guid id, ReplayWebhookRequest request, AccessGuard guard, WebhookQueries webhooks, RequestAudit audit,
        DbSession session, CancellationToken cancellationToken)
    {
        if (request.From is not { } from)
            throw ApiProblemException.Invalid("from", "from is required (an ISO 8601 instant).");
        if (request.To is not { } to)
            throw ApiProblemException.Invalid("to", "to is required (an ISO 8601 instant).");
        if (to <= from)
            throw ApiProblemException.Invalid("to", "to must be later than from.");
        var subscription = await ManagedAsync(id, "webhook.replay", guard, webhooks, cancellationToken);
        if (subscription.Status == "deleted")
            throw ApiProblemException.Conflict($"Webhook subscription {id} is deleted: nothing is sent to it.", "id");

        await session.BeginAsync(cancellationToken);
        var replayed = await webhooks.ReplayAsync(session, id, from, to, cancellationToken);
        await audit.AppendAsync(session, "webhook.replay", Resource(id), $"{replayed} events of [{from:O}, {to:O})", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Accepted(value: new WebhookReplay(id, from, to, replayed));
    }

    private static string Resource(Guid id) => $"webhook:{id}";

    private static bool CanManage(AccessGuard guard, string? model) =>
        model is null ? guard.Allows(WebhooksManage, Permissions.AnyCatalog) : guard.Allows(Permissions.ModelsWrite, model.Split('.')[0]);

    private static Task DemandAsync(AccessGuard guard, string action, string? model, string resource, CancellationToken cancellationToken) =>
        model is null
            ? guard.DemandAsync(action, WebhooksManage, Permissions.AnyCatalog, resource, cancellationToken)
            : guard.DemandAsync(action, Permissions.ModelsWrite, model.Split('.')[0], resource, cancellationToken);

    private static async Task<WebhookSubscription> ManagedAsync(Guid id, string action, AccessGuard guard, WebhookQueries webhooks, CancellationToken cancellationToken)
    {
        var subscription = await webhooks.FindAsync(id, cancellationToken) ?? throw ApiProblemException.NotFound("id", $"There is no webhook subscription {id}.");
        await DemandAsync(guard, action, subscription.Model, Resource(id), cancellationToken);
        return subscription;
    }

    private static string Url(string? value)
    {
        var text = Input.Text(value, "url", 2000);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.UserInfo)
            || !string.IsNullOrEmpty(uri.Fragment))
            throw ApiProblemException.Invalid("url", "url must be an absolute http or https URL without user info or fragment.");
        return uri.AbsoluteUri;
    }

    private static string Secret(string? value)
    {
        if (value is null || value.Length is < MinSecretLength or > MaxSecretLength || value.Any(c => c is < '!' or > '~'))
            throw ApiProblemException.Invalid("secret",
                $"secret is required: {MinSecretLength} to {MaxSecretLength} printable ASCII characters without spaces (e.g. openssl rand -hex 32).");
        return value;
    }

    private static async Task<string[]> CheckedEventTypesAsync(IReadOnlyList<string>? requested, string? model, WebhookQueries webhooks, CancellationToken cancellationToken)
    {
        if (requested is not { Count: > 0 })
            throw ApiProblemException.Invalid("eventTypes", "eventTypes must name at least one event type (GET /api/webhooks/event-types).");
        var known = (await webhooks.EventTypesAsync(cancellationToken)).ToDictionary(t => t.Name, StringComparer.Ordinal);
        for (var i = 0; i < requested.Count; i++)
        {
            if (requested[i] is not { } name || !known.TryGetValue(name, out var type))
                throw ApiProblemException.Invalid($"eventTypes[{i}]", $"'{requested[i]}' is not an event type: use {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))}.");
            if (model is not null && !type.ModelScoped)
                throw ApiProblemException.Invalid($"eventTypes[{i}]", $"{name} is about no model: only a registry-wide subscription (no model) receives it.");
        }
        return [.. requested.Distinct(StringComparer.Ordinal)];
    }
}
