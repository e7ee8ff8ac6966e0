"""export(): .pt2 and .onnx files that answer like the scikit-learn model, labels inside."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch
from torch import nn

import nnconvert as nc
from nnconvert.agreement import decision_margin, score_scale
from nnconvert.export import ExportError, labels, read_metadata
from nnconvert.layers import Layer, LayerDescription, LinearUnits
from nnconvert.network.heads import LinearHead
from tests.zoo import fitted, probe_points

ort = pytest.importorskip("onnxruntime")

#: linear, multinomial with string labels, pipeline, one-vs-rest, proba-only (MLP), ELM, and
#: kernel SVMs (row-blocked kernel layers, the one-vs-one vote), binary and multiclass
CASES = [
    "logreg-iris-str",
    "linearsvc-breast_cancer",
    "pipe-standard-logreg-breast_cancer",
    "ovr-logreg-iris",
    "mlp-relu-iris-str",
    "elm-sigmoid-iris-str",
    "svc-rbf-iris",
    "svc-rbf-breast_cancer-raw-str",
    "svc-poly-digits-minmax-break-ties",
]
#: ONNX translation is slower: a representative subset
ONNX_CASES = [
    "logreg-iris-str",
    "linearsvc-breast_cancer",
    "pipe-standard-logreg-breast_cancer",
    "mlp-relu-iris-str",
    "svc-rbf-iris",
    "svc-poly-digits-minmax-break-ties",
]


def _rows(case_id):
    estimator, X_train, X_test = fitted(case_id)
    # held-out rows and points beyond the data; a batch size the export never saw
    return estimator, np.vstack([X_test, probe_points(X_train, n=37)])


def _reference(estimator, X):
    if hasattr(estimator, "decision_function"):
        return estimator.decision_function(X)
    return estimator.predict_proba(X)


def _assert_answers(estimator, X, scores, label_index, meta, rtol):
    reference = _reference(estimator, X)
    scores = np.asarray(scores)
    assert scores.shape == reference.shape
    scale = score_scale(reference)
    assert np.max(np.abs(scores - reference)) <= rtol * scale
    predicted = labels(meta, label_index)
    expected = estimator.predict(X)
    assert predicted.dtype == expected.dtype
    if rtol <= 1e-9:
        np.testing.assert_array_equal(predicted, expected)
    else:  # float32: labels agree outside the band where rounding alone can flip them
        clear = decision_margin(reference) > 2 * rtol * scale
        np.testing.assert_array_equal(predicted[clear], expected[clear])


def _metadata_matches(meta, estimator, net):
    assert meta["classes"] == estimator.classes_.tolist()
    assert meta["n_features_in"] == estimator.n_features_in_
    assert meta["source"] == net.source
    assert meta["scores"] == (
        "decision_function" if hasattr(estimator, "decision_function") else "predict_proba"
    )


@pytest.mark.parametrize("case_id", CASES)
def test_pt2_reproduces_the_estimator(tmp_path, case_id):
    estimator, X = _rows(case_id)
    net = nc.convert(estimator)
    path = nc.export(net, tmp_path / "model.pt2")
    program = torch.export.load(path).module()
    for rows in (X, X[:1]):  # the batch dimension is dynamic, a single row included
        with torch.no_grad():
            scores, label_index = program(torch.as_tensor(rows))
        meta = read_metadata(path)
        _assert_answers(estimator, rows, scores.numpy(), label_index.numpy(), meta, 1e-9)
    _metadata_matches(meta, estimator, net)
    # the metadata is an ordinary extra file of the archive
    extra = {"nnconvert.json": ""}
    torch.export.load(path, extra_files=extra)
    assert '"classes"' in extra["nnconvert.json"]


@pytest.mark.parametrize("case_id", ONNX_CASES)
def test_onnx_float64_reproduces_the_estimator(tmp_path, case_id):
    estimator, X = _rows(case_id)
    net = nc.convert(estimator)
    path = nc.export(net, tmp_path / "model.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["x"]
    assert session.get_inputs()[0].type == "tensor(double)"
    assert [o.name for o in session.get_outputs()] == ["scores", "label_index"]
    meta = session.get_modelmeta().custom_metadata_map
    assert json.loads(meta["classes"]) == estimator.classes_.tolist()  # for any ONNX runtime
    for rows in (X, X[:1]):
        scores, label_index = session.run(None, {"x": rows})
        _assert_answers(estimator, rows, scores, label_index, read_metadata(path), 1e-9)
    _metadata_matches(read_metadata(path), estimator, net)


@pytest.mark.parametrize(
    "case_id", ["logreg-iris-str", "pipe-standard-logreg-breast_cancer", "svc-rbf-iris"]
)
def test_onnx_float32(tmp_path, case_id):
    estimator, X = _rows(case_id)
    net = nc.convert(estimator)
    path = nc.export(net, tmp_path / "model32.onnx", dtype=torch.float32)
    assert net.dtype == torch.float64  # the caller's network is left as it was
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].type == "tensor(float)"
    scores, label_index = session.run(None, {"x": X.astype(np.float32)})
    meta = read_metadata(path)
    assert meta["dtype"] == "float32"
    if case_id.startswith("svc"):  # the vote decides, not an argmax of the scores
        reference = estimator.decision_function(X)
        assert np.max(np.abs(scores - reference)) <= 1e-4 * score_scale(reference)
    else:
        _assert_answers(estimator, X, scores, label_index, meta, 1e-4)


class _DataDependent(Layer):
    """A layer whose forward branches on the data: torch.export cannot trace it."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def forward(self, x):
        if x.sum() > 0:
            return x
        return -x

    def describe(self):
        return LayerDescription("sign flip", self.n, self.n, "none", "{y} = ±{x}")


@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_unexportable_layer_is_named(tmp_path, suffix):
    layers = [_DataDependent(3), LinearUnits(np.ones((1, 3)), np.zeros(1))]
    net = nc.ConvertedClassifier(layers, LinearHead(1), classes=[0, 1], n_features_in=3,
                                 source="hand-built")
    with pytest.raises(ExportError, match=r"layer 0 _DataDependent \('sign flip'\)"):
        nc.export(net, tmp_path / f"model{suffix}")
    assert not (tmp_path / f"model{suffix}").exists()


def test_onnx_that_lost_float64_precision_is_refused(tmp_path, monkeypatch):
    """The self-check after translation: weights rounded to float32 must not be written."""
    from onnx import numpy_helper

    module = sys.modules["nnconvert.export.onnx"]  # where the ONNX repairs live
    repair = module._restore_double_constants

    def round_weights(proto, floats):  # what a translation rounding to float32 would do
        repair(proto, floats)
        for tensor in proto.graph.initializer:
            values = numpy_helper.to_array(tensor)
            if values.dtype == np.float64 and values.size > 1:
                rounded = values.astype(np.float32).astype(np.float64)
                tensor.CopyFrom(numpy_helper.from_array(rounded, tensor.name))

    monkeypatch.setattr(module, "_restore_double_constants", round_weights)
    estimator, _ = _rows("svc-rbf-iris")
    with pytest.raises(ExportError, match="does not compute the network's function"):
        nc.export(nc.convert(estimator), tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_export_refuses_bad_arguments(tmp_path):
    estimator, _ = _rows("logreg-iris-str")
    net = nc.convert(estimator)
    with pytest.raises(TypeError, match="convert the estimator first"):
        nc.export(estimator, tmp_path / "model.pt2")
    with pytest.raises(TypeError, match="convert the estimator first"):
        nc.export(nn.Linear(4, 3), tmp_path / "model.pt2")
    with pytest.raises(ValueError, match=r"\.pt2, \.onnx"):
        nc.export(net, tmp_path / "model.bin")
    with pytest.raises(ValueError, match="TorchScript"):
        nc.export(net, tmp_path / "model.pt")
    with pytest.raises(ValueError, match="float64 or torch.float32"):
        nc.export(net, tmp_path / "model.pt2", dtype=torch.float16)
    with pytest.raises(ValueError, match="does not exist"):
        nc.export(net, tmp_path / "absent" / "model.pt2")
    (tmp_path / "folder.pt2").mkdir()
    with pytest.raises(ValueError, match="it is a folder"):
        nc.export(net, tmp_path / "folder.pt2")
    plain = torch.export.export(nn.Linear(4, 3).double(), (torch.zeros(2, 4).double(),))
    torch.export.save(plain, tmp_path / "plain.pt2")
    with pytest.raises(ValueError, match="not written by export"):
        read_metadata(tmp_path / "plain.pt2")


def test_onnx_writes_the_opset_asked_for_or_refuses(tmp_path):
    onnx = pytest.importorskip("onnx")
    estimator, _ = _rows("logreg-iris-str")
    net = nc.convert(estimator)
    path = nc.export(net, tmp_path / "opset18.onnx", opset=18)
    assert [o.version for o in onnx.load(path).opset_import if o.domain in ("", "ai.onnx")] == [18]
    with pytest.raises(ExportError, match="could not write opset 7"):
        nc.export(net, tmp_path / "opset7.onnx", opset=7)
    assert not (tmp_path / "opset7.onnx").exists()


@pytest.mark.gpu
def test_export_of_a_network_on_the_gpu(tmp_path):
    estimator, X = _rows("svc-rbf-iris")
    net = nc.convert(estimator).to("cuda")
    path = nc.export(net, tmp_path / "model.pt2")
    assert net.device.type == "cuda"  # the exported copy moved to the CPU, not the network
    with torch.no_grad():
        scores, label_index = torch.export.load(path).module()(torch.as_tensor(X))
    _assert_answers(estimator, X, scores.numpy(), label_index.numpy(), read_metadata(path), 1e-9)


@pytest.mark.parametrize("case_id", ["ridge-diabetes-two-targets", "pipe-standard-sgdreg-diabetes",
                                     "pca-whiten-wine", "robust-maxabs-diabetes"])
@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_regressors_and_transformers_export_their_answers(case_id, suffix, tmp_path):
    """A regressor exports its predictions, a transformer its output; the metadata says
    which kind, and the file reproduces scikit-learn to rounding."""
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    path = nc.export(net, tmp_path / f"model{suffix}")
    meta = read_metadata(path)
    kind = net.head.kind
    assert meta["kind"] == kind and "classes" not in meta
    assert meta["input_schema"]["n_features"] == X_test.shape[1]
    method = "predict" if kind == "regressor" else "transform"
    expected = getattr(estimator, method)(X_test)
    if suffix == ".pt2":
        program = torch.export.load(path)
        (got,) = program.module()(torch.as_tensor(X_test))
        got = got.detach().numpy()
    else:
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        (got,) = session.run(None, {"x": X_test})
    assert meta["outputs"] == (["predictions"] if kind == "regressor" else ["transformed"])
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-9 * np.abs(expected).max()
    if kind == "transformer":
        assert meta["feature_names_out"] == list(estimator.get_feature_names_out())
    else:
        assert meta["n_outputs"] == (1 if expected.ndim == 1 else expected.shape[1])


def _run_exported(path, X: np.ndarray) -> list[np.ndarray]:
    if path.suffix == ".pt2":
        return [t.detach().numpy() for t in torch.export.load(path).module()(torch.as_tensor(X))]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": X})


#: the layers that once inferred a width from the batch (k-NN's candidate distances, category
#: lookups, spline units) and the families beside them
ZERO_ROW_CASES = ["knn-iris", "radius-iris-outliers", "knnreg-diabetes", "hgb-breast_cancer",
                  "pipe-bins-onehot-logreg-iris", "spline-periodic-wine",
                  "target-encoder-multiclass-digits", "logreg-iris-str"]


@pytest.mark.parametrize("case_id", ZERO_ROW_CASES)
@pytest.mark.parametrize("suffix", [".pt2", ".onnx"])
def test_exported_files_answer_a_batch_of_zero_rows(case_id, suffix, tmp_path):
    """A server batches what arrives, possibly nothing: a 0-row batch gets 0-row answers of
    the widths a full batch gets, not an error."""
    # onnxruntime before 1.32 (the declared floor) fails or crashes on 0 rows through the
    # k-nearest and HistGradientBoosting graphs: nnconvert's onnx extra needs 1.32
    estimator, _, X_test = fitted(case_id)
    path = nc.export(nc.convert(estimator), tmp_path / f"model{suffix}")
    full = _run_exported(path, X_test[:3])
    empty = _run_exported(path, X_test[:0])
    assert [a.shape for a in empty] == [(0, *a.shape[1:]) for a in full]
