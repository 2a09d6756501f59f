using System.CommandLine;
using Mlops.Api.Responses;
using Mlops.Hosting.DeadLetters;

namespace Mlops.Cli.Commands;

/// <summary>Dead letters (what failed for good on any endpoint, and why) and sending them back to their queue after a fix; needs deadletters.manage.</summary>
public static class ErrorsCommand
{
    public static Command Create()
    {
        var queue = new Option<string?>("--queue", "-q") { Description = "Only dead letters of this queue (e.g. train-model)" };
        var replayed = new Option<bool>("--include-replayed") { Description = "Also list dead letters already replayed" };
        var limit = new Option<int>("--limit") { Description = "How many, newest first", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "Dead letters, newest first") { queue, replayed, limit };
        list.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var letters = await api.GetAsync<List<DeadLetter>>("api/dead-letters" + CliOptions.Query(("queue", parse.GetValue(queue)),
                ("includeReplayed", parse.GetValue(replayed) ? "true" : null), ("limit", parse.GetValue(limit))), cancellationToken);
            return output.Write(letters, found =>
            {
                CliOutput.Line($"{"id",6}  {"failed",-20}  {"queue",-28}  {"redeliveries",12}  {"replayed",-8}  reason");
                foreach (var letter in found)
                    CliOutput.Line($"{letter.Id,6}  {letter.FailedAt:u}  {letter.Queue,-28}  {letter.Redeliveries,12}  {(letter.ReplayedAt is null ? "no" : "yes"),-8}  " +
                                   Shorten(letter.Reason, 100));
                if (found.Count == 0)
                    CliOutput.Line("No dead letters.");
            });
        });

        var id = new Argument<long>("id") { Description = "The dead letter's id (see 'mlops errors list')" };
        var show = new Command("show", "One dead letter: reason, headers and body") { id };
        show.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            var letter = await api.GetAsync<DeadLetter>($"api/dead-letters/{parse.GetValue(id)}", cancellationToken);
            return output.Write(letter, l =>
            {
                CliOutput.Line($"dead letter {l.Id} on {l.Queue} (consumed by {l.Service ?? "?"})");
                CliOutput.Line($"message     {l.MessageId} {l.MessageType}");
                CliOutput.Line($"failed      {l.FailedAt:u} after {l.Redeliveries} redeliveries");
                CliOutput.Line($"reason      {l.ExceptionType}: {l.Reason}");
                CliOutput.Line($"replayed    {(l.ReplayedAt is { } at ? $"{at:u} by {l.ReplayedBy}" : "no")}");
                CliOutput.Line($"headers     {l.Headers}");
                CliOutput.Line("body");
                CliOutput.Line(l.Body ?? "");
            });
        });

        var replayId = new Argument<long?>("id") { Description = "The dead letter to replay", Arity = ArgumentArity.ZeroOrOne };
        var replayQueue = new Option<string?>("--queue", "-q") { Description = "With --all: every unreplayed dead letter of this queue" };
        var all = new Option<bool>("--all") { Description = "Replay every unreplayed dead letter of --queue" };
        var replay = new Command("replay", "Send dead letters back to their queue (same MessageId) through the consuming service's outbox")
        {
            replayId, replayQueue, all,
        };
        replay.RunWithApi(async (parse, api, output, cancellationToken) =>
        {
            if (parse.GetValue(replayId) is { } letterId)
            {
                var letter = await api.PostAsync<DeadLetter>($"api/dead-letters/{letterId}/replay", new { }, cancellationToken);
                return output.Write(letter, l => CliOutput.Line($"Replayed dead letter {l.Id} to {l.Queue}: {l.Service}'s outbox sends it back."));
            }
            if (parse.GetValue(replayQueue) is not { Length: > 0 } name || !parse.GetValue(all))
                throw new ArgumentException("Name a dead letter id, or a queue with --queue <name> --all.");
            var replayed = await api.PostAsync<ReplayedDeadLetters>("api/dead-letters/replay", new { queue = name }, cancellationToken);
            return output.Write(replayed, r => CliOutput.Line($"Replayed {r.Count} dead letter(s) to {r.Queue}."));
        });

        return new Command("errors", "Dead letters: messages that failed for good") { list, show, replay };
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
