using Mlops.Hosting;
using Mlops.Serving;

var builder = WebApplication.CreateBuilder(args);
builder.AddMlopsDefaults();
builder.AddServingService();

var app = builder.Build();
app.MapMlopsDefaults();
app.MapServingEndpoints();
app.Run();
