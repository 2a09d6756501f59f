using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Data;

namespace Mlops.Catalog.Tests;

public static class SessionExtensions
{
    /// <summary>Runs <paramref name="work"/> in one committed transaction of the host's database.</summary>
    public static async Task<T> InTransactionAsync<T>(this WebApplication host, Func<DbSession, Task<T>> work)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync();
        var result = await work(session);
        await session.CommitAsync();
        return result;
    }

    public static Task InTransactionAsync(this WebApplication host, Func<DbSession, Task> work) =>
        host.InTransactionAsync(async session => { await work(session); return true; });
}
