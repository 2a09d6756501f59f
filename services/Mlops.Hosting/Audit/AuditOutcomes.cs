namespace Mlops.Hosting.Audit;

public static class AuditOutcomes
{
    public const string Succeeded = "succeeded";
    public const string Denied = "denied";
    public const string Failed = "failed";
}
