using Microsoft.Extensions.Options;

namespace Mlops.Serving.Models;

/// <summary>Loads the configured models' champions as the service starts, so the first request does not pay for it.</summary>
public sealed partial class ModelPreloader(ServedModels models, IOptions<ServingOptions> options, ILogger<ModelPreloader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var model in options.Value.Models)
        {
            try
            {
                if (await models.GetAsync(model, cancellationToken) is null)
                    LogNoChampion(model);
            }
            catch (ModelUnavailableException exception)
            {
                LogUnavailable(exception, model);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "{ModelName} has no champion yet; it will be served once one is promoted")]
    private partial void LogNoChampion(string modelName);

    [LoggerMessage(Level = LogLevel.Error, Message = "{ModelName} cannot be served")]
    private partial void LogUnavailable(Exception exception, string modelName);
}
