using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.Simulator;

namespace Mlops.Cli.Demo;

/// <summary>
/// A client of the serving endpoint: turns generated customers into the features the model takes (the same churn
/// definition the feature store uses), sends them in small requests, and keeps what came back — the version that answered,
/// the request ids, and each row's true label, ready to land as ground truth.
/// </summary>
public sealed class ServingTraffic(HttpClient http, string model)
{
    private static readonly ChurnFeatureDefinition Features = new();
    private readonly ConcurrentQueue<GroundTruthLabel> _labels = new();
    private readonly ConcurrentDictionary<int, int> _answersByVersion = new();
    private int _requests;
    private int _failures;
    private string? _lastFailure;

    public int Requests => _requests;
    public int Failures => _failures;
    public string? LastFailure => _lastFailure;
    public IReadOnlyDictionary<int, int> AnswersByVersion => _answersByVersion;

    /// <summary>Labels of the rows answered since the last call.</summary>
    public IReadOnlyList<GroundTruthLabel> TakeLabels()
    {
        var labels = new List<GroundTruthLabel>();
        while (_labels.TryDequeue(out var label))
            labels.Add(label);
        return labels;
    }

    public async Task SendAsync(IReadOnlyList<ChurnCustomer> customers, int rowsPerRequest, int concurrency, CancellationToken cancellationToken)
    {
        var requests = customers.Chunk(rowsPerRequest).ToList();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (chunk, ct) => await SendOneAsync(chunk, ct));
    }

    /// <summary>Sends requests from <paramref name="customers"/> round and round until <paramref name="until"/> is cancelled.</summary>
    public async Task SendUntilAsync(IReadOnlyList<ChurnCustomer> customers, int rowsPerRequest, int concurrency, CancellationToken until)
    {
        var chunks = customers.Chunk(rowsPerRequest).ToArray();
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (!until.IsCancellationRequested)
                await SendOneAsync(chunks[(int)((uint)Interlocked.Increment(ref next) % (uint)chunks.Length)], CancellationToken.None);
        }));
        await Task.WhenAll(workers);
    }

    private async Task SendOneAsync(ChurnCustomer[] customers, CancellationToken cancellationToken)
    {
        var frame = Features.Compute(ChurnRawRows.From(customers));
        var records = Enumerable.Range(0, frame.RowCount).Select(row => frame.Columns.ToDictionary(c => c.Name, c => Cell(frame, c, row))).ToList();
        try
        {
            using var response = await http.PostAsJsonAsync($"serving-endpoints/{model}/invocations", new { dataframe_records = records }, cancellationToken);
            Interlocked.Increment(ref _requests);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _failures);
                _lastFailure = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
                return;
            }

            var version = int.Parse(response.Headers.GetValues("X-Model-Version").Single());
            var requestId = Guid.Parse(response.Headers.GetValues("X-Request-Id").Single());
            _answersByVersion.AddOrUpdate(version, 1, (_, count) => count + 1);
            for (var row = 0; row < customers.Length; row++)
                _labels.Enqueue(new GroundTruthLabel { RequestId = requestId, RowIndex = row, Label = customers[row].Churned ? 1 : 0 });
        }
        catch (HttpRequestException exception)
        {
            Interlocked.Increment(ref _requests);
            Interlocked.Increment(ref _failures);
            _lastFailure = exception.Message;
        }
    }

    private static object? Cell(FeatureFrame frame, FeatureColumn column, int row) =>
        column.Type == FeatureType.Numeric
            ? double.IsNaN(frame.Numeric[column.Name][row]) ? null : frame.Numeric[column.Name][row]
            : frame.Categorical[column.Name][row];

    public static async Task<JsonElement?> EndpointAsync(HttpClient http, string model, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"serving-endpoints/{model}", cancellationToken);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken) : null;
    }
}
