using System.CommandLine;
using System.Globalization;
using Mlops.Api.Responses;
using Mlops.Cli.Runs;

namespace Mlops.Cli.Commands;

public static class RunsCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Only runs of this model" };
        var environment = new Option<string?>("--environment") { Description = "Runs of this environment (default dev, or the model's)" };
        var state = new Option<string?>("--state") { Description = "Only runs in this state (e.g. AwaitingApproval)" };
        var limit = new Option<int>("--limit") { Description = "How many runs", DefaultValueFactory = _ => 20 };
        var list = new Command("list", "The latest pipeline runs (needs catalog.read)") { model, environment, state, limit };
        list.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var name = parse.GetValue(model) is { } m ? CliOptions.ParseModel(m).FullName : null;
            var runs = await api.GetAsync<List<RunSummary>>("api/runs" + CliOptions.Query(("model", name),
                ("environment", parse.GetValue(environment) ?? (name is null ? "dev" : null)), ("state", parse.GetValue(state)), ("limit", parse.GetValue(limit))),
                cancellationToken);
            return output.Write(runs, found =>
            {
                CliOutput.Line($"{"run",-36}  {"model",-16}  {"trigger",-22}  {"state",-18}  {"version",7}  started");
                foreach (var run in found)
                    CliOutput.Line($"{run.RunId,-36}  {run.ModelName,-16}  {run.Trigger,-22}  {run.State,-18}  " +
                                   $"{(run.ModelVersion is { } v ? "v" + v : "-"),7}  {run.StartedAt:u}");
            });
        });

        var runId = new Argument<Guid>("run") { Description = "The run id" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing the history until the run finishes" };
        var show = new Command("show", "A run's trigger, history and outcome (needs catalog.read)") { runId, follow };
        show.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var id = parse.GetValue(runId);
            var run = await api.GetAsync<RunDetails>($"api/runs/{id}", cancellationToken);
            if (output.Json)
            {
                if (parse.GetValue(follow))
                    run = await new RunFollower(api, TextWriter.Null).FollowAsync(id, TimeSpan.FromHours(1), cancellationToken);
                return output.Write(run, _ => { });
            }
            CliOutput.Line($"run {run.CorrelationId} of {run.ModelName} — {run.Trigger}: {run.TriggerDetail}");
            CliOutput.Line($"code {run.CodeVersion}  by {run.Principal}  trace {run.TraceId}");
            if (parse.GetValue(follow))
                run = await new RunFollower(api, Console.Out).FollowAsync(id, TimeSpan.FromHours(1), cancellationToken);
            else
                foreach (var entry in run.History)
                    CliOutput.Line(RunFollower.Line(entry));
            CliOutput.Line(Outcome(run));
            return 0;
        });

        return new Command("runs", "Pipeline runs") { list, show, CancelRunCommand.Create() };
    }

    public static string Outcome(RunDetails run) => run.CurrentState switch
    {
        "Completed" => $"Completed: {run.ModelName} v{run.ModelVersion} is champion (was {(run.ChampionBefore is { } b ? "v" + b : "none")}).",
        null => "Not started yet.",
        _ when run.FinishedAt is null => $"In progress: {run.CurrentState}.",
        _ => $"{run.CurrentState}: {run.FailureReason}",
    };

    public static string Describe(RunEvaluation evaluation) => string.Create(CultureInfo.InvariantCulture,
        $"{evaluation.Metric} challenger {evaluation.ChallengerScore:0.0000} vs champion {(evaluation.ChampionScore is { } c ? c.ToString("0.0000", CultureInfo.InvariantCulture) : "none")}" +
        $" (needed {evaluation.RequiredScore:0.0000}) on {evaluation.HoldoutRows} holdout rows");
}
