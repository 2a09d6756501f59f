using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Mlops.Cli.Api;

/// <summary>
/// The CLI's one door to the platform: the control-plane API with a bearer token. Every POST carries an Idempotency-Key, so a
/// request retried after a lost answer or a 503 is done once. Refusals become one clear <see cref="CliException"/>: the
/// problem's detail, the field at fault or the permission missing.
/// </summary>
public sealed class ApiClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;

    public ApiClient(CliSettings settings, string token)
    {
        _http = new HttpClient { BaseAddress = settings.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("mlops-cli", "1"));
        _timeout = settings.Timeout;
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public Task<T> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(() => new HttpRequestMessage(HttpMethod.Get, path), retry: true, cancellationToken);

    public async Task<string> GetTextAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), retry: true, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public Task<T> PostAsync<T>(string path, object body, CancellationToken cancellationToken)
    {
        var key = Guid.NewGuid().ToString();
        return SendAsync<T>(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: Json) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }, retry: true, cancellationToken);
    }

    /// <summary>
    /// Sends a file as the request body, streamed from disk (opened again for each attempt). No Idempotency-Key: the API would
    /// hold the whole body to hash it; the path carries its own idempotency key (a batch id) instead.
    /// </summary>
    public Task<T> PostFileAsync<T>(string path, string file, string contentType, CancellationToken cancellationToken) =>
        SendAsync<T>(() =>
        {
            var content = new StreamContent(File.OpenRead(file));
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType) { CharSet = "utf-8" };
            return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        }, retry: true, cancellationToken);

    /// <summary>A body sent as written (a YAML definition), not as JSON.</summary>
    public Task<T> PostTextAsync<T>(string path, string body, string mediaType, CancellationToken cancellationToken)
    {
        var key = Guid.NewGuid().ToString();
        return SendAsync<T>(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, mediaType) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }, retry: true, cancellationToken);
    }

    /// <summary>A server-sent event stream (e.g. a followed run), until the server ends it.</summary>
    public async IAsyncEnumerable<SseItem<string>> StreamAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw Unreachable(exception);
        }
        using (response)
        {
            await EnsureSuccessAsync(response, cancellationToken);
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
                yield return item;
        }
    }

    private async Task<T> SendAsync<T>(Func<HttpRequestMessage> request, bool retry, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, retry, cancellationToken);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                   ?? throw new CliException($"the API answered {(int)response.StatusCode} with an empty body.");
        }
        catch (JsonException exception)
        {
            throw new CliException($"the API's answer is not what this CLI expects ({exception.Message}); are the CLI and API the same version?", exception);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, bool retry, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            using var request = create();
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, timeout.Token);
                await response.Content.LoadIntoBufferAsync(timeout.Token);
            }
            catch (HttpRequestException exception) when (!IsRefused(exception) && retry && attempt < RetryDelays.Length)
            {
                await Task.Delay(RetryDelays[attempt], cancellationToken);
                continue;
            }
            catch (HttpRequestException exception)
            {
                throw Unreachable(exception);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CliException($"the API at {BaseAddress} did not answer within {_timeout.TotalSeconds:0} s (MLOPS_TIMEOUT).");
            }

            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && retry && attempt < RetryDelays.Length)
            {
                response.Dispose();
                await Task.Delay(RetryDelays[attempt], cancellationToken);
                continue;
            }
            try
            {
                await EnsureSuccessAsync(response, cancellationToken);
            }
            catch
            {
                response.Dispose();
                throw;
            }
            return response;
        }
    }

    private CliException Unreachable(HttpRequestException exception) =>
        new($"cannot reach the API at {BaseAddress} ({(IsRefused(exception) ? "connection refused" : exception.Message)}): is Mlops.Api running? Set MLOPS_API_URL.",
            exception);

    private static bool IsRefused(HttpRequestException exception) =>
        exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var problem = ApiProblem.Parse(text);
        var detail = problem?.Detail ?? (string.IsNullOrWhiteSpace(text) ? response.ReasonPhrase : text);
        throw new CliException(response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => $"the API refused the token (401): {detail} Set MLOPS_TOKEN, or \"token\" in the config file.",
            // The API's own refusals already say "Missing permission X in catalog Y"; others (separation of duties) name it only in the field.
            HttpStatusCode.Forbidden when problem?.Permission is { } permission && detail?.Contains(permission, StringComparison.Ordinal) != true =>
                $"forbidden (403): {detail} (permission {permission}{(problem.Catalog is { } c and not "*" ? $" in catalog {c}" : "")})",
            HttpStatusCode.Forbidden => $"forbidden (403): {detail}",
            _ when problem?.Problems is { Count: > 0 } problems => $"{(detail ?? "").Split(" the first: ", 2)[0].TrimEnd(';', ' ')} ({status}): {string.Join("; ", problems)}",
            _ when problem?.Field is { } field => $"{detail} ({status}, field {field})",
            _ => $"{detail} ({status})",
        });
    }

    public void Dispose() => _http.Dispose();
}
