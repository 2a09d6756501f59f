using MathNet.Numerics.LinearAlgebra;
using Mlops.Catalog.Models;

namespace Mlops.Training.Trainers.LogisticRegression;

/// <summary>
/// L2-penalised maximum likelihood for logistic regression by Newton's method (iteratively reweighted least squares).
/// Minimises Σᵢ [log(1 + e^ηᵢ) − yᵢ·ηᵢ] + (l2 / 2)·Σⱼ≥₁ βⱼ², η = Xβ, with the intercept (column 0) unpenalised — the
/// penalty is on the summed, not the averaged, loss, as scikit-learn's C = 1 / l2. Each step solves
/// (XᵀWX + l2·I′)·s = ∇ by Cholesky and is shortened by backtracking until the objective falls enough (Armijo), so the
/// iteration never climbs; it stops when no coefficient moves by more than the tolerance.
/// </summary>
public static class LogisticRegressionSolver
{
    private const double SufficientDecrease = 1e-4;
    private const int MaxHalvings = 40;

    /// <summary>|η| beyond which a probability is 0 or 1 to within 1e-13.</summary>
    private const double CertainLogit = 30;

    public static SolverResult Minimise(Matrix<double> design, Vector<double> labels, double l2, int maxIterations, double tolerance,
        CancellationToken cancellationToken = default)
    {
        if (design.RowCount != labels.Count)
            throw new ArgumentException($"{labels.Count} labels for {design.RowCount} rows.", nameof(labels));
        int n = design.RowCount, k = design.ColumnCount;
        var penalty = Vector<double>.Build.Dense(k, j => j == 0 ? 0 : l2);

        // Starting from the base rate puts the intercept where it ends up when nothing else matters, a step saved.
        var beta = Vector<double>.Build.Dense(k);
        var rate = Math.Clamp(labels.Average(), 1e-6, 1 - 1e-6);
        beta[0] = Math.Log(rate / (1 - rate));
        var eta = design * beta;
        var objective = Objective(eta, labels, beta, penalty);

        var weighted = new double[n * k];
        var columns = design.ToColumnMajorArray();
        for (var iteration = 1; iteration <= maxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var probabilities = eta.Map(CompiledModel.Sigmoid);
            var gradient = design.TransposeThisAndMultiply(probabilities - labels) + penalty.PointwiseMultiply(beta);

            var weights = probabilities.Map(p => p * (1 - p));
            for (var j = 0; j < k; j++)
                for (var i = 0; i < n; i++)
                    weighted[j * n + i] = columns[j * n + i] * weights[i];
            var hessian = design.TransposeThisAndMultiply(Matrix<double>.Build.Dense(n, k, weighted)) + Matrix<double>.Build.DiagonalOfDiagonalVector(penalty);

            Vector<double> step;
            try
            {
                step = hessian.Cholesky().Solve(gradient);
            }
            catch (ArgumentException exception)
            {
                // Only without a penalty: l2 > 0 keeps the Hessian positive definite. Rank-deficient designs are common then — the
                // one-hot columns of a categorical feature without nulls add up to the intercept's column.
                throw new TrainingException(
                    $"The optimiser could not take step {iteration}: the Hessian is singular, which l2 = {l2} cannot prevent (one-hot columns that " +
                    "add up to the intercept, a constant or duplicated feature, or classes separated perfectly). Set l2 > 0.", exception);
            }

            var decrease = gradient.DotProduct(step);
            var length = 1.0;
            while (true)
            {
                var candidate = beta - length * step;
                var candidateEta = design * candidate;
                var candidateObjective = Objective(candidateEta, labels, candidate, penalty);
                if (candidateObjective <= objective - SufficientDecrease * length * decrease)
                {
                    var moved = length * step.AbsoluteMaximum();
                    beta = candidate;
                    eta = candidateEta;
                    objective = candidateObjective;
                    if (!double.IsFinite(objective) || beta.Any(b => !double.IsFinite(b)))
                        throw Diverged(iteration, "the coefficients are no longer finite");
                    if (moved < tolerance)
                        return Converged(beta, eta, l2, iteration, objective, gradient);
                    break;
                }
                length /= 2;
                // Near the optimum the predicted decrease drowns in rounding: a step this small means there is nothing left to gain.
                if (length * step.AbsoluteMaximum() < tolerance)
                    return Converged(beta, eta, l2, iteration, objective, gradient);
                if (length < Math.Pow(2, -MaxHalvings))
                    throw Diverged(iteration, "no step along the Newton direction lowers the objective");
            }
        }

        throw new TrainingException(
            $"The optimiser did not converge in {maxIterations} iterations (max_iterations): the coefficients were still moving by more than " +
            $"{tolerance} (tolerance). The classes may be perfectly separable: set l2 > 0, or raise max_iterations.");
    }

    private static SolverResult Converged(Vector<double> beta, Vector<double> eta, double l2, int iteration, double objective, Vector<double> gradient)
    {
        // Without a penalty, separable classes have no finite optimum: Newton walks off towards infinity until every loss term
        // underflows and then "converges" there. Fitted probabilities of exactly 0 or 1 are the sign (R's glm warns on the same).
        if (l2 == 0)
        {
            var certain = eta.Count(z => Math.Abs(z) > CertainLogit);
            if (certain > 0)
                throw Diverged(iteration, $"{certain} training rows are fitted with probability 0 or 1, so the coefficients grow without bound");
        }
        return new SolverResult(beta, iteration, objective, gradient.L2Norm());
    }

    /// <summary>The penalised negative log-likelihood; log(1 + e^η) is computed as max(η, 0) + log(1 + e^−|η|), which cannot overflow.</summary>
    public static double Objective(Vector<double> eta, Vector<double> labels, Vector<double> beta, Vector<double> penalty)
    {
        var loss = 0.0;
        for (var i = 0; i < eta.Count; i++)
        {
            var z = eta[i];
            loss += Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z))) - labels[i] * z;
        }
        return loss + 0.5 * penalty.PointwiseMultiply(beta).DotProduct(beta);
    }

    private static TrainingException Diverged(int iteration, string why) =>
        new($"The optimiser diverged at iteration {iteration}: {why}. Classes that a feature separates (nearly) perfectly have no finite fit without a penalty. Set l2 > 0.");
}
