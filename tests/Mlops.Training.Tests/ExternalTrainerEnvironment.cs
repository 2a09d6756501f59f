using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Contracts;

namespace Mlops.Training.Tests;

/// <summary>
/// The training service with external trainers configured as an operator would (docs/trainers.md): the shipped sklearn
/// example, the ONNX example, and a scripted trainer whose "mode" parameter makes it succeed or break the contract in one way.
/// </summary>
public sealed class ExternalTrainerEnvironment : TrainingEnvironment
{
    public const string Python = "/usr/bin/python3";
    public const int MaxLogBytes = 64 * 1024;

    /// <summary>Where this environment's trainings get their work directories, to see that each is removed.</summary>
    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "mlops-training-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Where the scripted_hang trainer writes "its pid, its child's pid, its work directory" once it runs.</summary>
    public string PidDirectory { get; } = Directory.CreateTempSubdirectory("mlops-trainer-pids-").FullName;

    public static string TrainersDirectory => Path.Combine(AppContext.BaseDirectory, "trainers");

    protected override IDictionary<string, string?> TrainingSettings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Training:TrainersDirectory"] = TrainersDirectory,
            ["Training:WorkDirectory"] = WorkDirectory,
            ["Training:MaxTrainerLogBytes"] = MaxLogBytes.ToString(),
        };
        void Trainer(string name, string script, string timeLimit, IReadOnlyDictionary<string, string> parameters, string dataFormat = "csv",
            string outputFormat = "mlops.model/v1")
        {
            var at = $"Training:ExternalTrainers:{name}";
            settings[$"{at}:Command"] = Python;
            settings[$"{at}:Arguments:0"] = "{trainers}/" + script;
            settings[$"{at}:TimeLimit"] = timeLimit;
            settings[$"{at}:DataFormat"] = dataFormat;
            settings[$"{at}:OutputFormat"] = outputFormat;
            settings[$"{at}:Environment:PYTHONDONTWRITEBYTECODE"] = "1";
            foreach (var (key, value) in parameters)
                settings[$"{at}:Parameters:{key}"] = value;
        }

        Trainer("sklearn_gbt", "sklearn_gbt/train.py", "00:05:00", new Dictionary<string, string>
        {
            ["n_estimators"] = "100", ["learning_rate"] = "0.1", ["max_depth"] = "3", ["subsample"] = "1.0", ["min_samples_leaf"] = "1",
            ["max_categories"] = "50",
        });
        Trainer("onnx_logistic", "onnx_logistic/train.py", "00:05:00", new Dictionary<string, string>(), outputFormat: "onnx");
        Trainer("scripted", "test/scripted.py", "00:02:00", new Dictionary<string, string> { ["mode"] = "ok" });
        Trainer("scripted_parquet", "test/scripted.py", "00:02:00", new Dictionary<string, string> { ["mode"] = "ok" }, dataFormat: "parquet");
        Trainer("scripted_slow", "test/scripted.py", "00:00:03", new Dictionary<string, string> { ["mode"] = "sleep" });
        Trainer("scripted_hang", "test/scripted.py", "00:10:00", new Dictionary<string, string> { ["mode"] = "sleep" });
        settings["Training:ExternalTrainers:scripted_hang:Environment:MLOPS_TEST_PID_DIRECTORY"] = PidDirectory;
        settings["Training:ExternalTrainers:missing:Command"] = "{trainers}/no_such_trainer";
        return settings;
    }

    public TrainModel ExternalCommand(Guid runId, string trainer, IReadOnlyDictionary<string, string>? parameters = null) => Command(runId) with
    {
        Trainer = trainer, Parameters = parameters ?? new Dictionary<string, string>(),
    };

    /// <summary>The content of an artifact of a tracking run, or null when the run has none of that name.</summary>
    public async Task<string?> ArtifactTextAsync(Guid trainingRunId, string name)
    {
        var artifacts = Service<ArtifactStore>();
        return await artifacts.FindAsync(trainingRunId, name) is { } sha256
            ? System.Text.Encoding.UTF8.GetString(await artifacts.GetAsync(sha256))
            : null;
    }

    /// <summary>The tracking run a pipeline run started, whatever became of it.</summary>
    public async Task<(Guid RunId, string Status, string? Error)> TrackingRunAsync(Guid pipelineRunId) =>
        (await Database.QueryAsync<(Guid, string, string?)>(
            "SELECT run_id, status, error FROM tracking.runs WHERE pipeline_run_id = @pipelineRunId", new { pipelineRunId })).Single();

    public Task<ModelVersion?> VersionAsync(int version) => Service<ModelRegistry>().FindVersionAsync(Model, version);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var directory in new[] { WorkDirectory, PidDirectory })
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
    }
}
