namespace Mlops.Hosting.Identity;

public static class PrincipalKinds
{
    public const string User = "user";
    public const string Service = "service";
}
