#!/usr/bin/env python3
"""An external trainer that fits a scikit-learn logistic regression and exports it to ONNX with onnx.helper.

It follows the external trainer contract (docs/model-format.md, "ONNX models"):

    train.py --train train.csv --validation validation.csv --params params.json --output DIR

Every column of the CSV files except params["entity_column"] and params["label_column"] is a feature; an empty field is
null. A column whose non-empty values all parse as numbers is numeric, any other is categorical. The trainer writes
DIR/model.onnx and DIR/metrics.json (computed on the validation set, all finite).

Preprocessing and model are scikit-learn's own: SimpleImputer (mean) and StandardScaler for numeric columns,
OneHotEncoder (unknown categories ignored; a null is the empty string) for categorical ones, then LogisticRegression.
The ONNX graph (double precision, so it matches scikit-learn to rounding) computes exactly those steps:

    numeric inputs -> Where(IsNaN, mean) -> (x - mean) / scale ┐
    string inputs  -> ai.onnx.ml.OneHotEncoder (zeros=1)       ┴-> Concat -> MatMul + Add -> Sigmoid
      -> "probabilities" [N, 2] = [1 - p, p] (as predict_proba) and "label" [N] (int64)

Parameters (params.json; numbers may be given as strings, unknown keys are ignored):
    entity_column, label_column  required
    C                            inverse regularisation strength (default 1.0)
    max_iter                     solver iterations (default 1000)
    categorical_columns          columns to treat as categorical even if every value looks like a number (a list, or
                                 comma-separated)
    layout                       "matrix": one input "features" [N, k] (numeric features only), its columns named by the
                                 model's metadata_props entry "mlops.feature_names"; "columns": one [N, 1] input per
                                 feature, named like it. Default: "matrix" when every feature is numeric, else "columns".

For parity checks it can also score rows with the fitted scikit-learn model:
    --predict rows.csv --predictions out.csv   writes "<entity_column>,probability" per row (predict_proba[:, 1])
"""

import argparse
import csv
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, log_loss, precision_score, recall_score, roc_auc_score
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def fail(message):
    print(f"onnx_logistic: {message}", file=sys.stderr)
    sys.exit(2)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            fail(f"{path} has no header line")
        return list(reader.fieldnames), list(reader)


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


class Data:
    """Rows of a CSV split into the numeric matrix (NaN for null) and the categorical matrix ("" for null)."""

    def __init__(self, rows, entity, label, numeric, categorical, require_label):
        self.entities = [row[entity] for row in rows]
        self.numeric = np.array([[float(row[c]) if row[c] != "" else np.nan for c in numeric] for row in rows],
                                dtype=np.float64).reshape(len(rows), len(numeric))
        self.categorical = np.array([[row[c] for c in categorical] for row in rows], dtype=object).reshape(len(rows), len(categorical))
        self.labels = None
        if label is not None:
            labels = [row.get(label, "") for row in rows]
            if require_label and any(value == "" for value in labels):
                fail(f"some rows have no {label}")
            self.labels = np.array([float(value) if value != "" else np.nan for value in labels], dtype=np.float64)


class Model:
    def __init__(self, numeric, categorical, c, max_iter):
        self.numeric = numeric
        self.categorical = categorical
        self.imputer = SimpleImputer(strategy="mean", keep_empty_features=True)
        self.scaler = StandardScaler()
        self.encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        self.classifier = LogisticRegression(C=c, max_iter=max_iter)

    def design(self, data, fit=False):
        parts = []
        if self.numeric:
            x = data.numeric
            if fit:
                self.imputer.fit(x)
                self.scaler.fit(self.imputer.transform(x))
            parts.append(self.scaler.transform(self.imputer.transform(x)))
        if self.categorical:
            if fit:
                self.encoder.fit(data.categorical)
            parts.append(self.encoder.transform(data.categorical))
        return np.hstack(parts)

    def fit(self, data):
        design = self.design(data, fit=True)
        labels = data.labels.astype(np.int64)
        if set(np.unique(labels)) != {0, 1}:
            fail("the training labels must hold both classes, 0 and 1")
        self.classifier.fit(design, labels)

    def predict_proba(self, data):
        return self.classifier.predict_proba(self.design(data))[:, 1]


def to_onnx(model, layout):
    nodes, inputs, initializers, parts = [], [], [], []

    def constant(name, values, dtype=TensorProto.DOUBLE, dims=None):
        array = np.asarray(values)
        initializers.append(helper.make_tensor(name, dtype, list(dims if dims is not None else array.shape), array.flatten().tolist()))
        return name

    if model.numeric:
        if layout == "matrix":
            inputs.append(helper.make_tensor_value_info("features", TensorProto.DOUBLE, ["N", len(model.numeric)]))
            numeric = "features"
        else:
            for name in model.numeric:
                inputs.append(helper.make_tensor_value_info(name, TensorProto.DOUBLE, ["N", 1]))
            numeric = "numeric"
            nodes.append(helper.make_node("Concat", list(model.numeric), [numeric], axis=1))
        constant("impute_values", model.imputer.statistics_)
        constant("scaler_mean", model.scaler.mean_)
        constant("scaler_scale", model.scaler.scale_)
        nodes += [
            helper.make_node("IsNaN", [numeric], ["numeric_missing"]),
            helper.make_node("Where", ["numeric_missing", "impute_values", numeric], ["numeric_imputed"]),
            helper.make_node("Sub", ["numeric_imputed", "scaler_mean"], ["numeric_centered"]),
            helper.make_node("Div", ["numeric_centered", "scaler_scale"], ["numeric_scaled"]),
        ]
        parts.append("numeric_scaled")

    for i, name in enumerate(model.categorical):
        categories = [str(c) for c in model.encoder.categories_[i]]
        inputs.append(helper.make_tensor_value_info(name, TensorProto.STRING, ["N", 1]))
        shape = constant(f"onehot_shape_{i}", [-1, len(categories)], TensorProto.INT64)
        nodes += [
            helper.make_node("OneHotEncoder", [name], [f"onehot_{i}"], domain="ai.onnx.ml", cats_strings=categories, zeros=1),
            helper.make_node("Reshape", [f"onehot_{i}", shape], [f"onehot_flat_{i}"]),
            helper.make_node("Cast", [f"onehot_flat_{i}"], [f"onehot_double_{i}"], to=TensorProto.DOUBLE),
        ]
        parts.append(f"onehot_double_{i}")

    if len(parts) > 1:
        nodes.append(helper.make_node("Concat", parts, ["design"], axis=1))
        design = "design"
    else:
        design = parts[0]

    constant("coefficients", model.classifier.coef_.T)
    constant("intercept", model.classifier.intercept_)
    constant("one", [1.0], dims=[1])
    constant("label_classes", [0, 1], TensorProto.INT64)
    nodes += [
        helper.make_node("MatMul", [design, "coefficients"], ["weighted"]),
        helper.make_node("Add", ["weighted", "intercept"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["positive"]),
        helper.make_node("Sub", ["one", "positive"], ["negative"]),
        helper.make_node("Concat", ["negative", "positive"], ["probabilities"], axis=1),
        helper.make_node("ArgMax", ["probabilities"], ["label"], axis=1, keepdims=0),
    ]
    outputs = [
        helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
        helper.make_tensor_value_info("probabilities", TensorProto.DOUBLE, ["N", 2]),
    ]
    graph = helper.make_graph(nodes, "onnx_logistic", inputs, outputs, initializer=initializers)
    onnx_model = helper.make_model(graph, producer_name="mlops-examples-onnx_logistic",
                                   opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)])
    onnx_model.ir_version = 8
    metadata = {"mlops.trainer": "onnx_logistic"}
    if layout == "matrix":
        metadata["mlops.feature_names"] = ",".join(model.numeric)
    helper.set_model_props(onnx_model, metadata)
    onnx.checker.check_model(onnx_model)
    return onnx_model


def metrics(labels, probabilities):
    keep = ~np.isnan(labels)
    y, p = labels[keep].astype(np.int64), probabilities[keep]
    predicted = (p >= 0.5).astype(np.int64)
    result = {
        "accuracy": accuracy_score(y, predicted),
        "log_loss": log_loss(y, p, labels=[0, 1]),
        "precision": precision_score(y, predicted, zero_division=0),
        "recall": recall_score(y, predicted, zero_division=0),
        "f1": f1_score(y, predicted, zero_division=0),
    }
    if len(set(y.tolist())) == 2:
        result["auc"] = roc_auc_score(y, p)
    return {name: float(value) for name, value in result.items() if math.isfinite(value)}


def main():
    parser = argparse.ArgumentParser(description="Logistic regression (scikit-learn) exported to ONNX")
    parser.add_argument("--train", required=True)
    parser.add_argument("--validation", required=True)
    parser.add_argument("--params", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--predict")
    parser.add_argument("--predictions")
    args = parser.parse_args()

    with open(args.params, encoding="utf-8") as handle:
        params = json.load(handle)
    entity, label = params.get("entity_column"), params.get("label_column")
    if not entity or not label:
        fail("params.json must name entity_column and label_column")
    regularisation = float(params.get("C", 1.0))
    max_iter = int(params.get("max_iter", 1000))

    header, train_rows = read_csv(args.train)
    for column in (entity, label):
        if column not in header:
            fail(f"{args.train} has no column {column}")
    features = [c for c in header if c not in (entity, label)]
    if not features:
        fail("the training set has no feature columns")
    forced = params.get("categorical_columns") or []
    forced = [c.strip() for c in forced.split(",")] if isinstance(forced, str) else list(forced)
    numeric = [f for f in features if f not in forced and all(row[f] == "" or is_number(row[f]) for row in train_rows)]
    categorical = [f for f in features if f not in numeric]
    layout = params.get("layout") or ("matrix" if not categorical else "columns")
    if layout not in ("matrix", "columns"):
        fail(f"layout must be matrix or columns, not {layout}")
    if layout == "matrix" and categorical:
        fail(f"the matrix layout takes numeric features only; {', '.join(categorical)} are categorical")

    train = Data([r for r in train_rows if r[label] != ""], entity, label, numeric, categorical, require_label=True)
    _, validation_rows = read_csv(args.validation)
    validation = Data(validation_rows, entity, label, numeric, categorical, require_label=False)

    model = Model(numeric, categorical, regularisation, max_iter)
    model.fit(train)

    os.makedirs(args.output, exist_ok=True)
    onnx.save(to_onnx(model, layout), os.path.join(args.output, "model.onnx"))
    with open(os.path.join(args.output, "metrics.json"), "w", encoding="utf-8") as handle:
        json.dump(metrics(validation.labels, model.predict_proba(validation)), handle, indent=2)

    if args.predict:
        _, rows = read_csv(args.predict)
        data = Data(rows, entity, None, numeric, categorical, require_label=False)
        with open(args.predictions, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([entity, "probability"])
            for key, probability in zip(data.entities, model.predict_proba(data)):
                writer.writerow([key, repr(float(probability))])


if __name__ == "__main__":
    main()
