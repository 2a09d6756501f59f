using Mlops.Hosting;
using Mlops.Training;

var builder = WebApplication.CreateBuilder(args);
builder.AddMlopsDefaults();
builder.AddTrainingService();

var app = builder.Build();
app.MapMlopsDefaults();
app.Run();
