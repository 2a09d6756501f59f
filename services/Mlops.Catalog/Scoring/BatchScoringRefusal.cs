namespace Mlops.Catalog.Scoring;

/// <summary>Why a batch scoring job cannot be planned: what the API answers 404, 409 or 400 (422) for.</summary>
public enum BatchScoringRefusal
{
    /// <summary>The model, version or feature version does not exist.</summary>
    NotFound,

    /// <summary>It exists, but not in a state that can be scored (no champion, an archived version, no feature version yet).</summary>
    Conflict,

    /// <summary>The request itself is wrong (a feature version of another environment or table, no keys, too many keys).</summary>
    Invalid,
}
