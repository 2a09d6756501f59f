using Mlops.Api.Responses;
using Mlops.Catalog.Registry;

namespace Mlops.Cli.Commands;

/// <summary>What 'mlops model show --json' prints: the API's three answers about a model, together.</summary>
public sealed record ModelView(ModelSummary Model, IReadOnlyList<VersionSummary> Versions, IReadOnlyList<AliasChange> ChampionHistory);
