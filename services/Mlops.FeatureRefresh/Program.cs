using Mlops.Hosting;
using Mlops.FeatureRefresh;

var builder = WebApplication.CreateBuilder(args);
builder.AddMlopsDefaults();
builder.AddFeatureRefreshService();

var app = builder.Build();
app.MapMlopsDefaults();
app.Run();
