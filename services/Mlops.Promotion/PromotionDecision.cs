namespace Mlops.Promotion;

/// <summary>Whether a challenger should become champion, what it had to reach, and why, in words.</summary>
public sealed record PromotionDecision(bool Promote, double RequiredScore, string Reason);
