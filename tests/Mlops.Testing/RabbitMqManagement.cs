using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mlops.Testing;

/// <summary>The bits of RabbitMQ's management API the tests use: virtual hosts, queue depths, reading _error queues.</summary>
public sealed class RabbitMqManagement : IDisposable
{
    private readonly HttpClient _http;

    public RabbitMqManagement()
    {
        _http = new HttpClient { BaseAddress = new Uri($"http://{TestInfrastructure.RabbitMqHost}:{TestInfrastructure.RabbitMqManagementPort}/api/") };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestInfrastructure.RabbitMqUser}:{TestInfrastructure.RabbitMqPassword}")));
    }

    public async Task CreateVirtualHostAsync(string name)
    {
        try
        {
            (await _http.PutAsync($"vhosts/{Uri.EscapeDataString(name)}", null)).EnsureSuccessStatusCode();
        }
        catch (HttpRequestException exception)
        {
            throw new InvalidOperationException(TestInfrastructure.Unavailable("RabbitMQ's management API", exception), exception);
        }

        await GrantPermissionsAsync(name);
    }

    /// <summary>Everything for the tests' own user; for each service's user (deploy/infra.sh made them), its production permissions.</summary>
    public async Task GrantPermissionsAsync(string virtualHost)
    {
        var permissions = JsonContent.Create(new { configure = ".*", write = ".*", read = ".*" });
        (await _http.PutAsync($"permissions/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(TestInfrastructure.RabbitMqUser)}", permissions))
            .EnsureSuccessStatusCode();

        foreach (var service in RabbitMqPermissions.All.Where(p => TestInfrastructure.RabbitMqUsers.Contains(p.User)))
        {
            var granted = JsonContent.Create(new { configure = service.Configure, write = service.Write, read = service.Read });
            (await _http.PutAsync($"permissions/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(service.User)}", granted)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>The names of the broker's users.</summary>
    public async Task<IReadOnlySet<string>> UsersAsync()
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync("users"));
        return document.RootElement.EnumerateArray().Select(user => user.GetProperty("name").GetString()!).ToHashSet();
    }

    /// <summary>
    /// A broker outage for one virtual host only, without touching the shared node: every user loses its permissions
    /// on it (new connections are refused) and every open connection is closed. Queues and their messages stay.
    /// </summary>
    public async Task StartOutageAsync(string virtualHost)
    {
        foreach (var user in new[] { TestInfrastructure.RabbitMqUser }.Concat(RabbitMqPermissions.All.Select(p => p.User)))
        {
            var response = await _http.DeleteAsync($"permissions/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(user)}");
            if (response.StatusCode != HttpStatusCode.NotFound)
                response.EnsureSuccessStatusCode();
        }

        // The management API lists connections with a little delay: close until none was listed after at least one was closed.
        var closedAny = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var document = JsonDocument.Parse(await _http.GetStringAsync($"vhosts/{Uri.EscapeDataString(virtualHost)}/connections"));
            var names = document.RootElement.EnumerateArray().Select(x => x.GetProperty("name").GetString()!).ToList();
            if (names.Count == 0 && closedAny)
                return;
            foreach (var name in names)
            {
                var closed = await _http.DeleteAsync($"connections/{Uri.EscapeDataString(name)}");
                if (closed.StatusCode != HttpStatusCode.NotFound)
                    closed.EnsureSuccessStatusCode();
                closedAny = true;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The connections of virtual host {virtualHost} were not all closed within 30 s.");
    }

    public async Task DeleteVirtualHostAsync(string name)
    {
        var response = await _http.DeleteAsync($"vhosts/{Uri.EscapeDataString(name)}");
        if (response.StatusCode != HttpStatusCode.NotFound)
            response.EnsureSuccessStatusCode();
    }

    /// <summary>Messages ready in a queue, or null when the queue does not exist (yet).</summary>
    public async Task<long?> QueueDepthAsync(string virtualHost, string queue)
    {
        var response = await _http.GetAsync($"queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number ? messages.GetInt64() : 0;
    }

    /// <summary>How many deliveries of a queue consumers have acknowledged so far (statistics lag by up to half a second).</summary>
    public Task<long> AcknowledgedAsync(string virtualHost, string queue) => MessageStatAsync(virtualHost, queue, "ack");

    /// <summary>Deliveries of a queue the broker made again (a consumer died or gave back unacknowledged messages), since the node started.</summary>
    public Task<long> RedeliveredAsync(string virtualHost, string queue) => MessageStatAsync(virtualHost, queue, "redeliver");

    /// <summary>Redeliveries summed over every queue of a virtual host, since the node started.</summary>
    public async Task<long> RedeliveredInVirtualHostAsync(string virtualHost)
    {
        var response = await _http.GetAsync($"queues/{Uri.EscapeDataString(virtualHost)}");
        if (response.StatusCode == HttpStatusCode.NotFound)
            return 0;
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.EnumerateArray()
            .Sum(queue => queue.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty("redeliver", out var value) ? value.GetInt64() : 0);
    }

    private async Task<long> MessageStatAsync(string virtualHost, string queue, string stat)
    {
        var response = await _http.GetAsync($"queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}");
        if (response.StatusCode == HttpStatusCode.NotFound)
            return 0;
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.TryGetProperty("message_stats", out var stats) && stats.TryGetProperty(stat, out var value) ? value.GetInt64() : 0;
    }

    /// <summary>Reads (and requeues) up to <paramref name="count"/> messages of a queue, headers and body as text.</summary>
    public async Task<IReadOnlyList<QueuedMessage>> PeekAsync(string virtualHost, string queue, int count = 10)
    {
        var request = JsonContent.Create(new { count, ackmode = "ack_requeue_true", encoding = "auto" });
        var response = await _http.PostAsync($"queues/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(queue)}/get", request);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return [];
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<List<QueuedMessage>>() ?? [];
    }

    /// <summary>Publishes raw bytes to an exchange: how a broken upstream producer would.</summary>
    public async Task PublishRawAsync(string virtualHost, string exchange, string routingKey, string payload, IDictionary<string, object>? headers = null,
        string contentType = "application/vnd.masstransit+json")
    {
        var request = JsonContent.Create(new
        {
            properties = new Dictionary<string, object>
            {
                ["content_type"] = contentType,
                ["message_id"] = Guid.NewGuid().ToString(),
                ["delivery_mode"] = 2,
                ["headers"] = headers ?? new Dictionary<string, object>(),
            },
            routing_key = routingKey,
            payload,
            payload_encoding = "string",
        });
        var response = await _http.PostAsync($"exchanges/{Uri.EscapeDataString(virtualHost)}/{Uri.EscapeDataString(exchange)}/publish", request);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _http.Dispose();

    public sealed class QueuedMessage
    {
        [JsonPropertyName("payload")]
        public string Payload { get; set; } = "";

        [JsonPropertyName("properties")]
        public JsonElement Properties { get; set; }

        public string? Header(string name) =>
            Properties.TryGetProperty("headers", out var headers) && headers.TryGetProperty(name, out var value) ? value.ToString() : null;
    }
}
