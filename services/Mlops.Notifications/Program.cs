using Mlops.Hosting;
using Mlops.Notifications;

var builder = WebApplication.CreateBuilder(args);
builder.AddMlopsDefaults();
builder.AddNotificationsService();

var app = builder.Build();
app.MapMlopsDefaults();
app.Run();
