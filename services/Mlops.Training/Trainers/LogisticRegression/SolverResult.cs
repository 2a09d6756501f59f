using MathNet.Numerics.LinearAlgebra;

namespace Mlops.Training.Trainers.LogisticRegression;

/// <summary>The coefficients found (intercept first), the Newton iterations taken, the objective there and the gradient norm where the last step began.</summary>
public sealed record SolverResult(Vector<double> Coefficients, int Iterations, double Objective, double GradientNorm);
