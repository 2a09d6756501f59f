using Microsoft.AspNetCore.Builder;
using Mlops.Hosting;
using Mlops.Hosting.Messaging;
using Mlops.Testing;

namespace Mlops.Catalog.Tests;

/// <summary>A bare service host with the catalog: migrations applied, a DbSession per scope.</summary>
public static class CatalogTestHost
{
    public static Task<WebApplication> StartAsync(TestEnvironment environment) =>
        TestHost.StartAsync(environment, "catalog-tests", builder =>
        {
            builder.AddMlopsDefaults();
            builder.Services.AddMlopsCatalog();
            builder.AddMlopsMessaging();
        });
}
