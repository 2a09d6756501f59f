using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Mlops.Catalog.Models;
using Mlops.Training.Trainers.LogisticRegression;

namespace Mlops.Training.Trainers.External;

/// <summary>Refuses, at start-up, an external trainer configuration that could only fail later or run something unintended.</summary>
public sealed partial class ExternalTrainersValidator : IValidateOptions<TrainingOptions>
{
    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        var failures = new List<string>();
        foreach (var (trainer, config) in options.ExternalTrainers)
        {
            var at = $"Training:ExternalTrainers:{trainer}";
            if (!TrainerName().IsMatch(trainer) || trainer == LogisticRegressionTrainer.TrainerName)
                failures.Add($"{at}: a trainer name is lower-case letters, digits and underscores, starting with a letter, and not a built-in trainer's.");
            if (!config.Command.StartsWith(ExternalTrainerRunner.TrainersPlaceholder, StringComparison.Ordinal) && !Path.IsPathFullyQualified(config.Command))
                failures.Add($"{at}:Command '{config.Command}' must be an absolute path or start with {ExternalTrainerRunner.TrainersPlaceholder}: what runs never depends on a search path.");
            if (config.TimeLimit <= TimeSpan.Zero)
                failures.Add($"{at}:TimeLimit ({config.TimeLimit}) must be positive.");
            if (config.DataFormat is not (ExternalTrainerOptions.Csv or ExternalTrainerOptions.Parquet))
                failures.Add($"{at}:DataFormat '{config.DataFormat}' must be csv or parquet.");
            if (!ModelFormats.All.Contains(config.OutputFormat))
                failures.Add($"{at}:OutputFormat '{config.OutputFormat}' must be one of {string.Join(", ", ModelFormats.All)}.");
            foreach (var parameter in config.Parameters.Keys)
                if (!ParameterName().IsMatch(parameter) || ExternalTrainerRunner.ParamsKeys.Contains(parameter))
                    failures.Add($"{at}:Parameters:{parameter}: a parameter name is letters, digits and underscores, and not one of params.json's own keys " +
                        $"({string.Join(", ", ExternalTrainerRunner.ParamsKeys)}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex TrainerName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,62}$")]
    private static partial Regex ParameterName();
}
