using System.CommandLine;
using Mlops.Cli;
using Mlops.Cli.Commands;

var root = new RootCommand("mlops — operate the Mlops platform through its API (MLOPS_API_URL, MLOPS_TOKEN or ~/.config/mlops/config.json)")
{
    LandDataCommand.Create(),
    ReleaseCodeCommand.Create(),
    PromoteCodeCommand.Create(),
    RequestRunCommand.Create(),
    DecideApprovalCommand.Create(approve: true),
    DecideApprovalCommand.Create(approve: false),
    RollbackCommand.Create(),
    ModelCommand.Create(),
    LineageCommand.Create(),
    FeaturesCommand.Create(),
    RunsCommand.Create(),
    ErrorsCommand.Create(),
    AuditCommand.Create(),
    PrincipalsCommand.Create(),
    TokensCommand.Create(),
    BootstrapAdminCommand.Create(),
    MigrateCommand.Create(),
    DemoCommand.Create(),
};
root.Options.Add(CliOptions.Json);

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // One line a script can read, naming every problem; the full help stays one --help away.
    var command = string.Join(' ', parse.CommandResult.Command.Name == root.Name ? ["mlops"] : ["mlops", .. CommandPath(parse.CommandResult)]);
    Console.Error.WriteLine($"mlops: {string.Join("; ", parse.Errors.Select(error => error.Message.TrimEnd('.')))} (see '{command} --help').");
    return 2;
}
return await parse.InvokeAsync();

static IEnumerable<string> CommandPath(System.CommandLine.Parsing.SymbolResult? result)
{
    var names = new Stack<string>();
    for (; result is System.CommandLine.Parsing.CommandResult { Parent: not null } command; result = command.Parent)
        names.Push(command.Command.Name);
    return names;
}
