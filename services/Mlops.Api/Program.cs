using Mlops.Api;
using Mlops.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMlopsDefaults();
builder.AddApiService();

var app = builder.Build();
app.MapMlopsDefaults();
app.MapApiEndpoints();
app.Run();
