namespace Mlops.Orchestrator.Admission;

/// <summary>How a kind of trigger is held back after a model's last run started, from the least held back to the most.</summary>
public enum CooldownRule
{
    /// <summary>Never: a person asked (a manual request, a code release).</summary>
    Exempt,

    /// <summary>By the model's Cooldown, when it sets one: triggers with a cadence of their own (new data, the schedule).</summary>
    ModelCooldown,

    /// <summary>By the model's Cooldown, else Pipeline:DefaultCooldown: monitoring alerts, which come in storms.</summary>
    ModelOrDefaultCooldown,
}
