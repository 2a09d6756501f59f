using System.CommandLine;
using System.Text.Json;
using Mlops.Hosting.DeadLetters;

namespace Mlops.Cli.Commands;

/// <summary>messaging.dead_letters: what failed for good on any endpoint, why, and sending it back to its queue after a fix.</summary>
public static class ErrorsCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var queue = new Option<string?>("--queue", "-q") { Description = "Only dead letters of this queue (e.g. train-model)" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var replayed = new Option<bool>("--include-replayed") { Description = "Also list dead letters already replayed" };
        var limit = new Option<int>("--limit") { Description = "How many, newest first", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "Dead letters, newest first") { queue, json, replayed, limit };
        list.RunWithoutBus(async (parse, host, cancellationToken) =>
        {
            var letters = await host.Get<DeadLetterStore>().ListAsync(parse.GetValue(queue), parse.GetValue(replayed), parse.GetValue(limit), cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(letters.Select(x => x with { Body = null, Headers = null }), Json));
                return 0;
            }
            Console.WriteLine($"{"id",6}  {"failed",-20}  {"queue",-28}  {"redeliveries",12}  {"replayed",-8}  reason");
            foreach (var letter in letters)
                Console.WriteLine($"{letter.Id,6}  {letter.FailedAt:u}  {letter.Queue,-28}  {letter.Redeliveries,12}  {(letter.ReplayedAt is null ? "no" : "yes"),-8}  " +
                                  Shorten(letter.Reason, 100));
            if (letters.Count == 0)
                Console.WriteLine("No dead letters.");
            return 0;
        });

        var id = new Argument<long>("id") { Description = "The dead letter's id (see 'mlops errors list')" };
        var showJson = new Option<bool>("--json") { Description = "Print JSON" };
        var show = new Command("show", "One dead letter: reason, headers and body") { id, showJson };
        show.RunWithoutBus(async (parse, host, cancellationToken) =>
        {
            var letter = await host.Get<DeadLetterStore>().FindAsync(parse.GetValue(id), cancellationToken)
                         ?? throw new KeyNotFoundException($"No dead letter {parse.GetValue(id)}.");
            if (parse.GetValue(showJson))
            {
                Console.WriteLine(JsonSerializer.Serialize(letter, Json));
                return 0;
            }
            Console.WriteLine($"dead letter {letter.Id} on {letter.Queue} (consumed by {letter.Service ?? "?"})");
            Console.WriteLine($"message     {letter.MessageId} {letter.MessageType}");
            Console.WriteLine($"failed      {letter.FailedAt:u} after {letter.Redeliveries} redeliveries");
            Console.WriteLine($"reason      {letter.ExceptionType}: {letter.Reason}");
            Console.WriteLine($"replayed    {(letter.ReplayedAt is { } at ? $"{at:u} by {letter.ReplayedBy}" : "no")}");
            Console.WriteLine($"headers     {letter.Headers}");
            Console.WriteLine("body");
            Console.WriteLine(letter.Body);
            return 0;
        });

        var replayId = new Argument<long?>("id") { Description = "The dead letter to replay", Arity = ArgumentArity.ZeroOrOne };
        var replayQueue = new Option<string?>("--queue", "-q") { Description = "With --all: every unreplayed dead letter of this queue" };
        var all = new Option<bool>("--all") { Description = "Replay every unreplayed dead letter of --queue" };
        var principal = CliOptions.Principal();
        var replay = new Command("replay", "Send dead letters back to their queue (same MessageId) through the consuming service's outbox")
        {
            replayId, replayQueue, all, principal,
        };
        replay.RunWithoutBus(async (parse, host, cancellationToken) =>
        {
            var store = host.Get<DeadLetterStore>();
            var by = parse.GetValue(principal)!;
            if (parse.GetValue(replayId) is { } letterId)
            {
                var letter = await store.ReplayAsync(letterId, by, cancellationToken);
                Console.WriteLine($"Replayed dead letter {letter.Id} to {letter.Queue}: {letter.Service}'s outbox sends it back.");
                return 0;
            }
            if (parse.GetValue(replayQueue) is not { Length: > 0 } name || !parse.GetValue(all))
                throw new ArgumentException("Name a dead letter id, or a queue with --queue <name> --all.");
            var count = await store.ReplayQueueAsync(name, by, cancellationToken);
            Console.WriteLine($"Replayed {count} dead letter(s) to {name}.");
            return 0;
        });

        return new Command("errors", "Dead letters: messages that failed for good") { list, show, replay };
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
