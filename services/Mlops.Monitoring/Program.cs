using Mlops.Hosting;
using Mlops.Monitoring;

var builder = WebApplication.CreateBuilder(args);
builder.AddMlopsDefaults();
builder.AddMonitoringService();

var app = builder.Build();
app.MapMlopsDefaults();
app.Run();
