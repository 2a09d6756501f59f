#!/usr/bin/env python3
"""A trainer for tests: follows the external trainer contract (docs/trainers.md), or breaks it as its "mode" parameter says."""
import argparse
import json
import os
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
for name in ("--train", "--validation", "--params", "--output"):
    parser.add_argument(name, required=True)
args = parser.parse_args()
with open(args.params, encoding="utf-8") as handle:
    params = json.load(handle)
# A trainer's parameters stand at the top level of params.json and, all together, under "parameters".
mode = params["mode"]
assert params["parameters"] == {"mode": mode}, params["parameters"]
features = params["features"]
with open(args.train, "rb") as handle:
    print(f"{os.path.basename(args.train)} starts with {handle.read(4)!r}", flush=True)
print(f"mode {mode}, features {','.join(f['name'] for f in features)}, seed {params['seed']}", flush=True)


def inputs(extra=()):
    return [{"name": f["name"], "type": f["type"]} for f in features] + list(extra)


def document(signature, encodings=None, coefficients=None):
    if encodings is None:
        encodings = [{"input": i["name"], "kind": "standardize"} if i["type"] == "double"
                     else {"input": i["name"], "kind": "one_hot", "categories": ["month_to_month"]} for i in signature]
    return {"format": "mlops.model/v1", "kind": "logistic_regression", "signature": {"inputs": signature},
            "encodings": encodings, "logisticRegression": {"intercept": 0.25, "coefficients": coefficients or {}}}


def write(name, content):
    with open(os.path.join(args.output, name), "w", encoding="utf-8") as handle:
        handle.write(content if isinstance(content, str) else json.dumps(content))


if mode == "exit":
    for line in range(1, 41):
        print(f"trace line {line}", file=sys.stderr)
    print("ValueError: the data made no sense", file=sys.stderr)
    sys.exit(3)
if mode == "sleep":
    child = subprocess.Popen(["sleep", "300"])
    print(f"child {child.pid}", flush=True)
    if os.environ.get("MLOPS_TEST_PID_DIRECTORY"):
        with open(os.path.join(os.environ["MLOPS_TEST_PID_DIRECTORY"], f"{os.getpid()}.pids"), "w", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {child.pid} {os.getppid()} {os.getcwd()}")
    time.sleep(300)
if mode == "noisy":
    chunk = "x" * 1023 + "\n"
    for _ in range(3 * 1024):
        sys.stdout.write(chunk)
    print("the last line of a noisy trainer", flush=True)

model = document(inputs())
metrics = {"trainer_loss": 0.6931}
if mode == "no_model":
    write("notes.txt", "forgot the model")
    model = None
elif mode == "garbage":
    write("model.json", "{ this is not a model")
    model = None
elif mode == "bad_document":
    model = document(inputs(), coefficients={"no_such_column": 1.0})
elif mode == "unknown_input":
    model = document(inputs([{"name": "age", "type": "double"}]))
elif mode == "wrong_type":
    model = document([{"name": f["name"], "type": "double"} for f in features])
elif mode == "label_input":
    model = document(inputs([{"name": params["label_column"], "type": "double"}]))
elif mode == "subset":
    model = document([{"name": features[0]["name"], "type": features[0]["type"]}])
elif mode == "nan_metrics":
    metrics = {"auc": float("nan"), "log_loss": 0.5}
elif mode == "nan_scores":
    numeric = [f["name"] for f in features if f["type"] == "double"]
    model = document(inputs(), encodings=[{"input": n, "kind": "identity"} for n in numeric]
                     + [{"input": f["name"], "kind": "one_hot", "categories": ["month_to_month"]} for f in features if f["type"] == "string"],
                     coefficients={numeric[0]: 0.01})
if model is not None:
    write("model.json", model)
write("metrics.json", json.dumps(metrics) if mode != "nan_metrics" else '{"auc": NaN, "log_loss": 0.5}')
print("done", flush=True)
