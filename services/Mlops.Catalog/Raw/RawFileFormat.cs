namespace Mlops.Catalog.Raw;

/// <summary>How a landed file is written: CSV with a header row (RFC 4180), or one JSON object per line.</summary>
public enum RawFileFormat
{
    Csv,
    JsonLines,
}
