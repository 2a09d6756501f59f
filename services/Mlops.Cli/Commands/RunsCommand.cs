using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Runs;

namespace Mlops.Cli.Commands;

public static class RunsCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model", "-m") { Description = "Only runs of this model" };
        var limit = new Option<int>("--limit") { Description = "How many runs", DefaultValueFactory = _ => 20 };
        var list = new Command("list", "The latest pipeline runs") { model, limit };
        list.RunWithoutBus(async (parse, host, cancellationToken) =>
        {
            var runs = await new PipelineRuns(host.Get<Npgsql.NpgsqlDataSource>()).ListAsync(parse.GetValue(model), parse.GetValue(limit), cancellationToken);
            Console.WriteLine($"{"run",-36}  {"model",-16}  {"trigger",-22}  {"state",-18}  {"version",7}  started");
            foreach (var run in runs)
                Console.WriteLine($"{run.CorrelationId,-36}  {run.ModelName,-16}  {run.Trigger,-22}  {run.CurrentState,-18}  " +
                                  $"{(run.ModelVersion is { } v ? "v" + v : "-"),7}  {run.StartedAt:u}");
            return 0;
        });

        var runId = new Argument<Guid>("run") { Description = "The run id" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing the history until the run finishes" };
        var show = new Command("show", "A run's trigger, history and outcome") { runId, follow };
        show.RunWithoutBus(async (parse, host, cancellationToken) =>
        {
            var runs = new PipelineRuns(host.Get<Npgsql.NpgsqlDataSource>());
            var id = parse.GetValue(runId);
            var run = await runs.FindAsync(id, cancellationToken) ?? throw new KeyNotFoundException($"No pipeline run {id}.");
            Console.WriteLine($"run {run.CorrelationId} of {run.ModelName} — {run.Trigger}: {run.TriggerDetail}");
            Console.WriteLine($"code {run.CodeVersion}  trace {run.TraceId}");
            if (parse.GetValue(follow))
                run = await new RunFollower(runs, Console.Out).FollowAsync(id, TimeSpan.FromHours(1), cancellationToken);
            else
                foreach (var entry in run.History)
                    Console.WriteLine($"  {entry.At.ToLocalTime():HH:mm:ss.fff}  {entry.State,-18}  {entry.Note}");
            Console.WriteLine(Outcome(run));
            return 0;
        });

        return new Command("runs", "Pipeline runs") { list, show, CancelRunCommand.Create() };
    }

    public static string Outcome(RunView run) => run.CurrentState switch
    {
        "Completed" => $"Completed: {run.ModelName} v{run.ModelVersion} is champion (was {(run.ChampionBefore is { } b ? "v" + b : "none")}).",
        null => "Not started yet.",
        _ when !run.IsFinished => $"In progress: {run.CurrentState}.",
        _ => $"{run.CurrentState}: {run.FailureReason}",
    };

    public static string Describe(EvaluationView evaluation) => string.Create(CultureInfo.InvariantCulture,
        $"{evaluation.Metric} challenger {evaluation.ChallengerScore:0.0000} vs champion {(evaluation.ChampionScore is { } c ? c.ToString("0.0000", CultureInfo.InvariantCulture) : "none")}" +
        $" (needed {evaluation.RequiredScore:0.0000}) on {evaluation.HoldoutRows} holdout rows");
}
