#!/usr/bin/env python3
"""Writes small ONNX graphs (onnx.helper, Debian's python3-onnx) into the directory given as the only argument, one
<name>.onnx per variant: shapes the platform accepts and shapes it must refuse at load (tests/*/Onnx*Tests.cs).

Accepted (p = sigmoid(0.5*a - 0.25*b + 0.1*c), NaN stays NaN):
  float_matrix_score   input "x" float [N, 3] named a,b,c by mlops.feature_names; one unnamed output "score" float [N]
  fixed_batch          input "x" double [1, 3] named a,b,c; output "probability" double [1, 1] (scored a row at a time)
  per_feature_float    inputs a, b, c float [N, 1]; outputs "label" int64 [N] and "probabilities" float [N, 2]
Refused:
  int64_input, string_matrix, three_classes, zipmap, matrix_without_names, names_mismatch, two_scores, logits,
  wrong_runtime_shape, broken_matmul, sequence_input, fixed_batch_of_two, dynamic_width
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

FLOAT, DOUBLE, INT64, STRING = TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.INT64, TensorProto.STRING
WEIGHTS = [0.5, -0.25, 0.1]


def model(nodes, inputs, outputs, initializers=(), metadata=None, ml=False):
    opsets = [helper.make_opsetid("", 17)] + ([helper.make_opsetid("ai.onnx.ml", 3)] if ml else [])
    m = helper.make_model(helper.make_graph(nodes, "variant", inputs, outputs, initializer=list(initializers)), opset_imports=opsets)
    m.ir_version = 8
    if metadata:
        helper.set_model_props(m, metadata)
    return m


def tensor(name, dtype, values, dims):
    return helper.make_tensor(name, dtype, dims, np.asarray(values).flatten().tolist())


def io(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def linear(dtype, x="x", out="p", weights=WEIGHTS):
    """MatMul + Sigmoid over an [N, len(weights)] input: [N, 1]."""
    return ([helper.make_node("MatMul", [x, "w"], ["z"]), helper.make_node("Sigmoid", ["z"], [out])],
            [tensor("w", dtype, weights, [len(weights), 1])])


NAMES = {"mlops.feature_names": "a,b,c"}


def variants():
    nodes, init = linear(FLOAT)
    yield "float_matrix_score", model(nodes + [helper.make_node("Squeeze", ["p", "axis"], ["score"])],
                                      [io("x", FLOAT, ["N", 3])], [io("score", FLOAT, ["N"])],
                                      init + [tensor("axis", INT64, [1], [1])], NAMES)

    nodes, init = linear(DOUBLE, out="probability")
    yield "fixed_batch", model(nodes, [io("x", DOUBLE, [1, 3])], [io("probability", DOUBLE, [1, 1])], init, NAMES)

    nodes, init = linear(FLOAT, x="abc")
    yield "per_feature_float", model(
        [helper.make_node("Concat", ["a", "b", "c"], ["abc"], axis=1)] + nodes + [
            helper.make_node("Sub", ["one", "p"], ["q"]),
            helper.make_node("Concat", ["q", "p"], ["probabilities"], axis=1),
            helper.make_node("ArgMax", ["probabilities"], ["label"], axis=1, keepdims=0)],
        [io("a", FLOAT, ["N", 1]), io("b", FLOAT, ["N", 1]), io("c", FLOAT, ["N", 1])],
        [io("label", INT64, ["N"]), io("probabilities", FLOAT, ["N", 2])], init + [tensor("one", FLOAT, [1.0], [1])])

    yield "int64_input", model([helper.make_node("Cast", ["a"], ["af"], to=FLOAT), helper.make_node("Sigmoid", ["af"], ["probability"])],
                               [io("a", INT64, ["N", 1])], [io("probability", FLOAT, ["N", 1])])

    yield "string_matrix", model([helper.make_node("Shape", ["x"], ["s"]), helper.make_node("Cast", ["s"], ["probability"], to=FLOAT)],
                                 [io("x", STRING, ["N", 2])], [io("probability", FLOAT, [2])], metadata={"mlops.feature_names": "a,b"})

    yield "three_classes", model([helper.make_node("MatMul", ["x", "w"], ["z"]), helper.make_node("Softmax", ["z"], ["probabilities"], axis=1)],
                                 [io("x", FLOAT, ["N", 3])], [io("probabilities", FLOAT, ["N", 3])],
                                 [tensor("w", FLOAT, np.eye(3), [3, 3])], NAMES)

    nodes, init = linear(FLOAT)
    zipmap = helper.make_node("ZipMap", ["probs"], ["output_probability"], domain="ai.onnx.ml", classlabels_int64s=[0, 1])
    map_type = onnx.TypeProto()
    map_type.map_type.key_type = INT64
    map_type.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(FLOAT, []))
    seq_map = helper.make_sequence_type_proto(map_type)
    yield "zipmap", model(nodes + [helper.make_node("Sub", ["one", "p"], ["q"]), helper.make_node("Concat", ["q", "p"], ["probs"], axis=1), zipmap],
                          [io("x", FLOAT, ["N", 3])], [helper.make_value_info("output_probability", seq_map)],
                          init + [tensor("one", FLOAT, [1.0], [1])], NAMES, ml=True)

    nodes, init = linear(FLOAT, out="probability")
    yield "matrix_without_names", model(nodes, [io("x", FLOAT, ["N", 3])], [io("probability", FLOAT, ["N", 1])], init)
    yield "names_mismatch", model(nodes, [io("x", FLOAT, ["N", 3])], [io("probability", FLOAT, ["N", 1])], init, {"mlops.feature_names": "a,b"})
    yield "dynamic_width", model(nodes, [io("x", FLOAT, ["N", "K"])], [io("probability", FLOAT, ["N", 1])], init, NAMES)
    yield "fixed_batch_of_two", model(nodes, [io("x", FLOAT, [2, 3])], [io("probability", FLOAT, [2, 1])], init, NAMES)

    nodes, init = linear(FLOAT)
    yield "two_scores", model(nodes + [helper.make_node("Identity", ["p"], ["other"])], [io("x", FLOAT, ["N", 3])],
                              [io("p", FLOAT, ["N", 1]), io("other", FLOAT, ["N", 1])], init, NAMES)

    yield "logits", model([helper.make_node("MatMul", ["x", "w"], ["z"]), helper.make_node("Add", ["z", "five"], ["probability"])],
                          [io("x", FLOAT, ["N", 3])], [io("probability", FLOAT, ["N", 1])],
                          [tensor("w", FLOAT, WEIGHTS, [3, 1]), tensor("five", FLOAT, [5.0], [1])], NAMES)

    # Declares [N, 2] but computes [N, 3]: only running the graph shows it.
    yield "wrong_runtime_shape", model([helper.make_node("Sigmoid", ["x"], ["probabilities"])], [io("x", FLOAT, ["N", 3])],
                                       [io("probabilities", FLOAT, ["N", 2])], metadata=NAMES)

    yield "broken_matmul", model([helper.make_node("MatMul", ["x", "w"], ["z"]), helper.make_node("Sigmoid", ["z"], ["probability"])],
                                 [io("x", FLOAT, ["N", 3])], [io("probability", FLOAT, ["N", 1])], [tensor("w", FLOAT, [1.0] * 4, [4, 1])], NAMES)

    seq = helper.make_sequence_type_proto(helper.make_tensor_type_proto(FLOAT, ["N", 1]))
    yield "sequence_input", model([helper.make_node("ConcatFromSequence", ["s"], ["c"], axis=1), helper.make_node("Sigmoid", ["c"], ["probability"])],
                                  [helper.make_value_info("s", seq)], [io("probability", FLOAT, ["N", 1])])


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    for name, m in variants():
        onnx.save(m, os.path.join(directory, name + ".onnx"))


if __name__ == "__main__":
    main()
