using System.CommandLine;
using Mlops.Cli.Commands;

var root = new RootCommand("mlops — operate the Mlops pipeline: land data, release code, follow runs, inspect the registry")
{
    LandDataCommand.Create(),
    ReleaseCodeCommand.Create(),
    RequestRunCommand.Create(),
    DecideApprovalCommand.Create(approve: true),
    DecideApprovalCommand.Create(approve: false),
    RollbackCommand.Create(),
    ModelCommand.Create(),
    RunsCommand.Create(),
    ErrorsCommand.Create(),
    MigrateCommand.Create(),
    DemoCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
