using System.Text;
using Microsoft.Extensions.Options;
using Mlops.Catalog.Features;
using Mlops.Training.Trainers;
using Mlops.Training.Trainers.External;
using Parquet;
using Parquet.Schema;
using Xunit;

namespace Mlops.Training.Tests;

public sealed class When_external_trainer_files_are_written_and_read : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mlops-trainer-files-").FullName;

    private static FeatureFrame Awkward() => new(
        [new FeatureColumn("x", FeatureType.Numeric), new FeatureColumn("city", FeatureType.Categorical)],
        [1, 2, 3],
        new Dictionary<string, double[]> { ["x"] = [0.1, double.NaN, -1e-300] },
        new Dictionary<string, string?[]> { ["city"] = ["Köln, \"Altstadt\"", null, "line\nbreak"] },
        [1, 0, 1]);

    [Fact]
    public async Task Csv_has_a_header_round_trip_numbers_empty_nulls_and_quoted_text()
    {
        var path = Path.Combine(_directory, "train.csv");

        await TrainingSetFiles.WriteAsync(path, "csv", Awkward(), Awkward().Columns, "id", "label", CancellationToken.None);

        Assert.Equal("id,x,city,label\r\n1,0.1,\"Köln, \"\"Altstadt\"\"\",1\r\n2,,,0\r\n3,-1E-300,\"line\nbreak\",1\r\n", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Parquet_has_typed_nullable_columns()
    {
        var path = Path.Combine(_directory, "train.parquet");

        await TrainingSetFiles.WriteAsync(path, "parquet", Awkward(), Awkward().Columns, "id", "label", CancellationToken.None);

        await using var reader = await ParquetReader.CreateAsync(path);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(["id", "x", "city", "label"], fields.Select(f => f.Name));
        using var group = reader.OpenRowGroupReader(0);
        var ids = new long[3];
        await group.ReadAsync<long>(fields[0], ids);
        var x = new double?[3];
        await group.ReadAsync<double>(fields[1], x);
        var city = new string[3];
        await group.ReadAsync(fields[2], city);
        var labels = new int[3];
        await group.ReadAsync<int>(fields[3], labels);
        Assert.Equal([1L, 2, 3], ids);
        Assert.Equal([0.1, null, -1e-300], x);
        Assert.Equal(new string?[] { "Köln, \"Altstadt\"", null, "line\nbreak" }, city);
        Assert.Equal([1, 0, 1], labels);
    }

    [Theory]
    [InlineData("""{"auc": NaN}""", "metrics.json: metric 'auc' is NaN; every metric must be a finite number.")]
    [InlineData("""{"loss": -Infinity}""", "metrics.json: metric 'loss' is -Infinity; every metric must be a finite number.")]
    [InlineData("""{"auc": "NaN"}""", "metrics.json: metric 'auc' is NaN; every metric must be a finite number.")]
    [InlineData("""{"big": 1e400}""", "metrics.json: metric 'big' is 1e400; every metric must be a finite number.")]
    [InlineData("""{"auc": "high"}""", "metrics.json: metric 'auc' must be a number; it is \"high\".")]
    [InlineData("""{"auc": {"value": 1}}""", "metrics.json: metric 'auc' must be a number")]
    [InlineData("""[0.5]""", "metrics.json must be a JSON object of metric names to numbers; it is a Array.")]
    [InlineData("""{"auc": 0.5""", "metrics.json is not valid JSON")]
    [InlineData("""{"a b": 0.5}""", "metrics.json names a metric 'a b'")]
    [InlineData("""{"auc": 0.5, "auc": 0.6}""", "metrics.json names metric 'auc' twice.")]
    public void Metrics_that_are_not_finite_numbers_are_refused_by_name(string json, string reason)
    {
        var failure = Assert.Throws<TrainingException>(() => TrainerMetricsFile.Parse(Encoding.UTF8.GetBytes(json)));

        Assert.StartsWith(reason, failure.Message);
    }

    [Fact]
    public void Finite_metrics_are_read()
    {
        Assert.Equal(new Dictionary<string, double> { ["auc"] = 0.81, ["trees"] = 40, ["val.loss-1"] = -2e-5 },
            TrainerMetricsFile.Parse("""{"auc": 0.81, "trees": 40, "val.loss-1": -2e-5}"""u8.ToArray()));
    }

    [Fact]
    public void An_output_tail_keeps_the_last_bytes_and_says_how_many_were_dropped()
    {
        var tail = new OutputTail(10);
        tail.Append("0123456"u8);
        tail.Append("789abcdef"u8);
        tail.Append("ghij"u8);

        Assert.Equal("abcdefghij", Encoding.UTF8.GetString(tail.ToArray()));
        Assert.Equal("[the first 10 bytes of 20 were dropped; the last 10 follow]\nabcdefghij", Encoding.UTF8.GetString(tail.ToArtifact()));
    }

    [Fact]
    public void The_last_lines_of_stderr_are_bounded_and_storable()
    {
        var tail = new OutputTail(1 << 16);
        tail.Append(Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(1, 30).Select(i => $"line {i}")) + "\u0000\u0007 bell\n"));
        tail.Append([0xff, 0xfe]);

        var lines = tail.LastLines(maxLines: 3);

        Assert.Equal("line 29\nline 30   bell\n\ufffd\ufffd", lines);
        var cut = tail.LastLines(maxLines: 1000, maxChars: 50);
        Assert.Equal(("…", 51), (cut[..1], cut.Length));
    }

    [Theory]
    [InlineData("Command", "python3", "must be an absolute path or start with {trainers}")]
    [InlineData("DataFormat", "feather", "DataFormat 'feather' must be csv or parquet.")]
    [InlineData("OutputFormat", "pickle", "OutputFormat 'pickle' must be one of mlops.model/v1, onnx.")]
    [InlineData("TimeLimit", "-00:00:01", "TimeLimit (-00:00:01) must be positive.")]
    [InlineData("Parameters", "seed", "Training:ExternalTrainers:gbt:Parameters:seed: a parameter name")]
    public void A_misconfigured_trainer_is_refused_at_start_up(string setting, string value, string failure)
    {
        var trainer = new ExternalTrainerOptions { Command = "/usr/bin/python3" };
        switch (setting)
        {
            case "Command": trainer.Command = value; break;
            case "DataFormat": trainer.DataFormat = value; break;
            case "OutputFormat": trainer.OutputFormat = value; break;
            case "TimeLimit": trainer.TimeLimit = TimeSpan.Parse(value); break;
            case "Parameters": trainer.Parameters[value] = "1"; break;
        }

        var result = new ExternalTrainersValidator().Validate(null, new TrainingOptions { ExternalTrainers = { ["gbt"] = trainer } });

        Assert.True(result.Failed);
        Assert.Contains(failure, result.FailureMessage);
    }

    [Theory]
    [InlineData("logistic_regression")]
    [InlineData("Gbt")]
    [InlineData("gbt;rm")]
    public void A_trainer_name_that_is_not_a_plain_new_name_is_refused(string name)
    {
        var options = new TrainingOptions { ExternalTrainers = { [name] = new ExternalTrainerOptions { Command = "/usr/bin/python3" } } };

        Assert.True(new ExternalTrainersValidator().Validate(null, options).Failed);
        Assert.Equal(ValidateOptionsResult.Success, new ExternalTrainersValidator().Validate(null,
            new TrainingOptions { ExternalTrainers = { ["gbt_2"] = new ExternalTrainerOptions { Command = "{trainers}/gbt/run" } } }));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
