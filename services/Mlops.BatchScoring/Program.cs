using Mlops.BatchScoring;
using Mlops.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMlopsDefaults();
builder.AddBatchScoringService();

var app = builder.Build();
app.MapMlopsDefaults();
app.Run();
