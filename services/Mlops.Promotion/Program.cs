using Mlops.Hosting;
using Mlops.Promotion;

var builder = WebApplication.CreateBuilder(args);
builder.AddMlopsDefaults();
builder.AddPromotionService();

var app = builder.Build();
app.MapMlopsDefaults();
app.Run();
