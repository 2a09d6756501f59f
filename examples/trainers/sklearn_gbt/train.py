#!/usr/bin/env python3
"""Gradient-boosted trees with scikit-learn, exported to the Mlops portable format.

An external trainer for Mlops (docs/trainers.md): reads the training and validation sets (CSV) and params.json, fits
sklearn's GradientBoostingClassifier and writes model.json (docs/model-format.md, kind tree_ensemble, aggregation
logistic_sum), metrics.json and validation_predictions.csv (sklearn's own probabilities, for parity checks).

    train.py --train train.csv --validation validation.csv --params params.json --output out/

Parameters (strings in params.json's "parameters"): n_estimators (100), learning_rate (0.1), max_depth (3),
subsample (1.0), min_samples_leaf (1), max_categories (50).
Runs on Debian's python3-sklearn and python3-numpy; nothing else.
"""
import argparse
import csv
import json
import math
import os
import sys

import numpy as np
import sklearn
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score


def read_split(path, params):
    """Returns entity ids, {feature: numpy array (double) or list (string, None for null)}, labels."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    entities = [int(row[params["entity_column"]]) for row in rows]
    labels = np.array([int(float(row[params["label_column"]])) for row in rows])
    columns = {}
    for feature in params["features"]:
        name = feature["name"]
        if feature["type"] == "double":
            columns[name] = np.array([float(row[name]) if row[name] != "" else np.nan for row in rows], dtype=np.float64)
        else:
            columns[name] = [row[name] if row[name] != "" else None for row in rows]
    return entities, columns, labels


def fit_encodings(features, columns, max_categories):
    """Numeric inputs: identity, nulls imputed with the training median. String inputs: one-hot over the most frequent categories."""
    encodings, design = [], []
    for feature in features:
        name = feature["name"]
        if feature["type"] == "double":
            values = columns[name]
            finite = values[np.isfinite(values)]
            impute = float(np.median(finite)) if finite.size else 0.0
            encodings.append({"input": name, "kind": "identity", "impute": impute})
            design.append((name, name, None, impute))
        else:
            counts = {}
            for value in columns[name]:
                if value is not None:
                    counts[value] = counts.get(value, 0) + 1
            categories = sorted(counts, key=lambda c: (-counts[c], c))[:max_categories]
            categories.sort()
            encodings.append({"input": name, "kind": "one_hot", "categories": categories})
            design.extend((f"{name}={c}", name, c, None) for c in categories)
    return encodings, design


def design_matrix(design, columns, rows):
    matrix = np.zeros((rows, len(design)), dtype=np.float64)
    for j, (_, source, category, impute) in enumerate(design):
        if category is None:
            values = columns[source]
            matrix[:, j] = np.where(np.isfinite(values), values, impute)
        else:
            matrix[:, j] = [1.0 if value == category else 0.0 for value in columns[source]]
    return matrix


def strict_threshold(threshold):
    """sklearn's trees read X as float32 and go left when float32(x) <= threshold; the portable format goes left when
    x < T for the double x it is given. T is the least double above every x whose float32 rounding is <= threshold."""
    below = np.float32(threshold)
    if float(below) > threshold:
        below = np.nextafter(below, np.float32(-np.inf))
    above = np.nextafter(below, np.float32(np.inf))
    middle = (float(below) + float(above)) / 2  # exact: two adjacent float32 values
    # A double exactly halfway rounds to the float32 with the even significand.
    halfway_rounds_down = (int(np.array(below, dtype=np.float32).view(np.uint32)) & 1) == 0
    return float(np.nextafter(middle, np.inf)) if halfway_rounds_down else middle


def export_tree(estimator, design_names, learning_rate):
    tree = estimator.tree_
    nodes = []
    for node in range(tree.node_count):
        left, right = int(tree.children_left[node]), int(tree.children_right[node])
        if left == -1:
            nodes.append({"value": learning_rate * float(tree.value[node][0][0])})
        else:
            if left <= node or right <= node:
                raise RuntimeError(f"node {node} has a child before it; the format needs children after their parent")
            nodes.append({
                "feature": design_names[int(tree.feature[node])],
                "threshold": strict_threshold(float(tree.threshold[node])),
                "left": left, "right": right, "missingGoesLeft": True,
            })
    return {"nodes": nodes}


def base_score(model, sample):
    """The log-odds every prediction starts from: sklearn's prior, clipped as sklearn clips it; checked against decision_function."""
    prior = float(model.init_.predict_proba(sample[:1])[0, 1])
    eps = float(np.finfo(np.float32).eps)
    prior = min(max(prior, eps), 1 - eps)
    base = math.log(prior / (1 - prior))
    trees = sum(model.learning_rate * estimator.predict(sample) for estimator in model.estimators_[:, 0])
    gap = np.max(np.abs(model.decision_function(sample) - (base + trees)))
    if gap > 1e-9:
        raise RuntimeError(f"the exported base score misses sklearn's decision function by {gap}")
    return base


def parameter(params, name, default, kind, minimum):
    raw = params.get("parameters", {}).get(name, default)
    try:
        value = kind(raw)
    except ValueError:
        sys.exit(f"parameter {name} must be a {kind.__name__}; got {raw!r}")
    if value < minimum:
        sys.exit(f"parameter {name} must be at least {minimum}; got {raw!r}")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--train", "--validation", "--params", "--output"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    with open(args.params, encoding="utf-8") as handle:
        params = json.load(handle)
    if params.get("data_format", "csv") != "csv":
        sys.exit("this trainer reads csv; configure DataFormat csv")

    features = params["features"]
    max_categories = parameter(params, "max_categories", "50", int, 1)
    _, train_columns, train_labels = read_split(args.train, params)
    validation_entities, validation_columns, validation_labels = read_split(args.validation, params)
    encodings, design = fit_encodings(features, train_columns, max_categories)
    design_names = [name for name, _, _, _ in design]
    x_train = design_matrix(design, train_columns, len(train_labels))
    x_validation = design_matrix(design, validation_columns, len(validation_labels))

    model = GradientBoostingClassifier(
        n_estimators=parameter(params, "n_estimators", "100", int, 1),
        learning_rate=parameter(params, "learning_rate", "0.1", float, 1e-12),
        max_depth=parameter(params, "max_depth", "3", int, 1),
        subsample=parameter(params, "subsample", "1.0", float, 1e-12),
        min_samples_leaf=parameter(params, "min_samples_leaf", "1", int, 1),
        random_state=int(params.get("seed", 42)),
    )
    model.fit(x_train, train_labels)
    print(f"fitted {model.n_estimators_} trees of depth <= {model.max_depth} on {x_train.shape[0]} rows, "
          f"{x_train.shape[1]} design columns", flush=True)

    document = {
        "format": "mlops.model/v1",
        "kind": "tree_ensemble",
        "signature": {
            "inputs": [{"name": f["name"], "type": f["type"]} for f in features],
            "output": {"name": "probability", "type": "double"},
        },
        "encodings": encodings,
        "treeEnsemble": {
            "aggregation": "logistic_sum",
            "baseScore": base_score(model, x_train),
            "trees": [export_tree(estimator, design_names, model.learning_rate) for estimator in model.estimators_[:, 0]],
        },
        "decisionThreshold": 0.5,
        "metadata": {
            "library": f"scikit-learn {sklearn.__version__}",
            "estimator": "GradientBoostingClassifier",
            **{k: str(v) for k, v in params.get("parameters", {}).items()},
        },
    }
    probabilities = model.predict_proba(x_validation)[:, 1]
    metrics = {
        "validation_auc": float(roc_auc_score(validation_labels, probabilities)),
        "validation_log_loss": float(log_loss(validation_labels, probabilities, labels=[0, 1])),
        "validation_accuracy": float(accuracy_score(validation_labels, probabilities >= 0.5)),
        "trees": float(model.n_estimators_),
        "train_deviance": float(model.train_score_[-1]),
    }

    os.makedirs(args.output, exist_ok=True)
    with open(os.path.join(args.output, "model.json"), "w", encoding="utf-8") as handle:
        json.dump(document, handle, allow_nan=False)
    with open(os.path.join(args.output, "metrics.json"), "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, allow_nan=False, indent=2)
    with open(os.path.join(args.output, "validation_predictions.csv"), "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([params["entity_column"], "probability"])
        writer.writerows([entity, repr(float(p))] for entity, p in zip(validation_entities, probabilities))
    print(f"validation auc {metrics['validation_auc']:.4f}", flush=True)


if __name__ == "__main__":
    main()
