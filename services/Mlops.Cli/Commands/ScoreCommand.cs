using System.CommandLine;
using System.Globalization;
using Mlops.Catalog.Scoring;
using Mlops.Cli.Api;

namespace Mlops.Cli.Commands;

/// <summary>mlops score: starts a batch scoring job (and, with --wait, follows it to its end); mlops score show: a job's progress.</summary>
public static class ScoreCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create()
    {
        var model = CliOptions.Model();
        var version = new Option<int?>("--version") { Description = "The version to score with (default: the champion)" };
        var featureVersion = new Option<int?>("--feature-version")
        {
            Description = "The version of the model's feature table to score (default: the latest of the model's environment)",
        };
        var keysFile = new Option<FileInfo?>("--keys-file")
        {
            Description = "Score only these entities: a file of entity keys, one whole number a line ('#' comments and blank lines skipped)",
        };
        var wait = new Option<bool>("--wait") { Description = "Follow the job until it completes or fails (exit code 1 if it fails)" };
        var score = new Command("score", "Batch-score a feature version, or some of its entities, into scoring.predictions (needs models.write)")
        {
            model, version, featureVersion, keysFile, wait,
        };
        score.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(model)!);
            if (parse.GetValue(version) is <= 0)
                throw new ArgumentException("--version must be a positive version number.");
            if (parse.GetValue(featureVersion) is <= 0)
                throw new ArgumentException("--feature-version must be a positive version number.");
            var keys = parse.GetValue(keysFile) is { } file ? ReadKeys(file) : null;

            var job = await api.PostAsync<BatchScoringJob>($"api/models/{CliOptions.Escape(name.FullName)}/batch-scoring",
                new { version = parse.GetValue(version), featureVersion = parse.GetValue(featureVersion), entityKeys = keys }, cancellationToken);
            if (!parse.GetValue(wait))
                return output.Write(job, j => CliOutput.Line(
                    $"Queued scoring job {j.JobId}: {j.ModelName} v{j.ModelVersion} over {j.FeatureTable ?? "its feature table"} v{j.FeatureVersion}" +
                    $"{(j.EntityKeyCount is { } n ? $", {n} keys" : "")}. Follow it with 'mlops score show --model {j.ModelName} {j.JobId}'."));
            return await FollowAsync(api, output, job, cancellationToken);
        });

        var jobId = new Argument<Guid>("job") { Description = "The scoring job's id" };
        var showModel = CliOptions.Model();
        var show = new Command("show", "A scoring job: state, chunks done, rows scored, errors (needs models.read)") { showModel, jobId };
        show.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(showModel)!);
            var job = await api.GetAsync<BatchScoringJob>($"api/models/{CliOptions.Escape(name.FullName)}/batch-scoring/{parse.GetValue(jobId)}",
                cancellationToken);
            return output.Write(job, Describe) + (job.State == "failed" ? 1 : 0);
        });
        score.Subcommands.Add(show);

        var listModel = CliOptions.Model();
        var limit = new Option<int?>("--limit") { Description = "How many jobs at most (default 50)" };
        var list = new Command("list", "A model's latest scoring jobs, newest first (needs models.read)") { listModel, limit };
        list.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = CliOptions.ParseModel(parse.GetValue(listModel)!);
            var jobs = await api.GetAsync<List<BatchScoringJob>>(
                $"api/models/{CliOptions.Escape(name.FullName)}/batch-scoring{CliOptions.Query(("limit", parse.GetValue(limit)))}", cancellationToken);
            return output.Write(jobs, all =>
            {
                foreach (var job in all)
                    CliOutput.Line($"{job.JobId}  {job.CreatedAt:u}  {job.Trigger,-9}  {job.State,-9}  v{job.ModelVersion?.ToString(CultureInfo.InvariantCulture) ?? "-"}" +
                                   $"  {job.ChunksDone}/{job.ChunkCount?.ToString(CultureInfo.InvariantCulture) ?? "?"} chunks  {job.RowsScored} rows");
            });
        });
        score.Subcommands.Add(list);
        return score;
    }

    private static async Task<int> FollowAsync(ApiClient api, CliOutput output, BatchScoringJob job, CancellationToken cancellationToken)
    {
        var path = $"api/models/{CliOptions.Escape(job.ModelName)}/batch-scoring/{job.JobId}";
        var reported = -1;
        while (job.State is not ("completed" or "failed"))
        {
            if (!output.Json && job.ChunksDone != reported && job.ChunkCount is { } chunks)
            {
                CliOutput.Line($"{job.JobId}: {job.State}, {job.ChunksDone}/{chunks} chunks, {job.RowsScored} rows");
                reported = job.ChunksDone;
            }
            await Task.Delay(PollInterval, cancellationToken);
            job = await api.GetAsync<BatchScoringJob>(path, cancellationToken);
        }
        if (job.State == "failed")
            throw new CliException($"scoring job {job.JobId} failed: {job.Failure}");
        return output.Write(job, Describe);
    }

    private static void Describe(BatchScoringJob job)
    {
        CliOutput.Line($"job {job.JobId} ({job.Trigger}, by {job.RequestedBy}): {job.State}");
        CliOutput.Line($"  {job.ModelName} v{job.ModelVersion?.ToString(CultureInfo.InvariantCulture) ?? "(champion, when it starts)"} over " +
                       $"{job.FeatureTable ?? "its feature table"} v{job.FeatureVersion?.ToString(CultureInfo.InvariantCulture) ?? "(latest, when it starts)"}" +
                       (job.EntityKeyCount is { } keys ? $", {keys} keys" : ""));
        CliOutput.Line($"  chunks {job.ChunksDone}/{job.ChunkCount?.ToString(CultureInfo.InvariantCulture) ?? "?"}, rows scored {job.RowsScored}");
        foreach (var error in job.Errors)
            CliOutput.Line($"  error: {error}");
        if (job.Failure is { } failure)
            CliOutput.Line($"  failed: {failure}");
    }

    /// <summary>One key a line; a line that is not a whole number is refused with its number, so nothing is scored from a half-read file.</summary>
    private static List<long> ReadKeys(FileInfo file)
    {
        if (!file.Exists)
            throw new ArgumentException($"--keys-file {file.FullName} does not exist.");
        var keys = new List<long>();
        var number = 0;
        foreach (var line in File.ReadLines(file.FullName))
        {
            number++;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
                continue;
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var key))
                throw new ArgumentException($"--keys-file {file.Name} line {number}: '{(text.Length > 40 ? text[..40] + "..." : text)}' is not an entity key (a whole number).");
            keys.Add(key);
        }
        if (keys.Count == 0)
            throw new ArgumentException($"--keys-file {file.Name} holds no keys.");
        if (keys.Count > BatchScoringPlanner.MaxEntityKeys)
            throw new ArgumentException($"--keys-file {file.Name} holds {keys.Count} keys, more than {BatchScoringPlanner.MaxEntityKeys}: score the feature version instead.");
        return keys;
    }
}
