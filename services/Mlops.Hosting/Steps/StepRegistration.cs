namespace Mlops.Hosting.Steps;

/// <summary>A leased step of this service: its name in steps.step_leases and how many of its leases one instance works at once.</summary>
public sealed record StepRegistration<TCommand>(string Step, int Concurrency)
    where TCommand : class;
