using Mlops.Hosting;
using Mlops.Compliance;

var builder = WebApplication.CreateBuilder(args);
builder.AddMlopsDefaults();
builder.AddComplianceService();

var app = builder.Build();
app.MapMlopsDefaults();
app.Run();
