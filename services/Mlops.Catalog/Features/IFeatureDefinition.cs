using Mlops.Catalog.Features;

namespace Mlops.Catalog.Features;

/// <summary>
/// How one feature table is computed: the table it produces, the raw table it reads (with the columns it expects there) and the
/// computation from a batch of raw rows to feature rows. Register implementations in DI; the refresh finds them by table name.
/// </summary>
public interface IFeatureDefinition
{
    /// <summary>The feature table produced; its <see cref="FeatureTableDefinition.SourceTable"/> is the raw table read.</summary>
    FeatureTableDefinition Table { get; }

    /// <summary>
    /// Every column the raw table must have, as information_schema names their types (including the batch_id every raw table
    /// carries); any difference is a schema change the refresh refuses to compute over.
    /// </summary>
    IReadOnlyList<SourceColumn> SourceColumns { get; }

    /// <summary>Feature rows from one batch of raw rows, with the table's entity, feature and label columns.</summary>
    FeatureFrame Compute(RawRows rows);
}
