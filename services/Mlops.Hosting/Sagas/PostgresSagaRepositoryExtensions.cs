using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Mlops.Hosting.Data;

namespace Mlops.Hosting.Sagas;

public static class PostgresSagaRepositoryExtensions
{
    /// <summary>Keeps this saga's instances in <paramref name="table"/> ("schema.table"), created by the owning service's migrations.</summary>
    public static ISagaRegistrationConfigurator<TSaga> PostgresRepository<TSaga>(this ISagaRegistrationConfigurator<TSaga> configurator, string table)
        where TSaga : class, ISagaVersion
    {
        var sagaTable = new PostgresSagaTable<TSaga>(table);
        configurator.Repository(repository =>
        {
            repository.TryAddSingleton(sagaTable);
            repository.TryAddSingleton<PostgresSagaStore<TSaga>>();
            repository.RegisterLoadSagaRepository<TSaga, PostgresSagaRepositoryContextFactory<TSaga>>();
            repository.RegisterSagaRepository<TSaga, DbSession, SagaConsumeContextFactory<DbSession, TSaga>, PostgresSagaRepositoryContextFactory<TSaga>>();
        });
        return configurator;
    }
}
