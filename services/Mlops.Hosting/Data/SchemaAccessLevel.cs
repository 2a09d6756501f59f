namespace Mlops.Hosting.Data;

/// <summary>What a role may do with the tables of one schema.</summary>
public enum SchemaAccessLevel
{
    /// <summary>SELECT.</summary>
    Read,

    /// <summary>INSERT only: rows a role writes but may not read back (feature expressions' labels).</summary>
    Insert,

    /// <summary>SELECT and INSERT: an append-only log.</summary>
    Append,

    /// <summary>SELECT, INSERT, UPDATE and DELETE (never TRUNCATE, and never ALTER: that needs ownership).</summary>
    Write,

    /// <summary>Write, plus creating tables at run time (feature tables, raw tables) that may reference the schema's tables; the schema's other grantees can read them.</summary>
    Create,
}
