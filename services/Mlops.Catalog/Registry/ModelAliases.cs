namespace Mlops.Catalog.Registry;

public static class ModelAliases
{
    public const string Champion = "champion";
    public const string Challenger = "challenger";
}
