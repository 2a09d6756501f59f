using Mlops.Hosting;
using Mlops.Orchestrator;

var builder = WebApplication.CreateBuilder(args);
builder.AddMlopsDefaults();
builder.AddOrchestratorService();

var app = builder.Build();
app.MapMlopsDefaults();
app.Run();
