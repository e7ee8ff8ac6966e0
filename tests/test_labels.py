"""LabelEncoder and LabelBinarizer as transformers of labels: 1-D labels in, scikit-learn's
integers out (sparse where it is), its refusals kept."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from sklearn.datasets import load_iris
from sklearn.preprocessing import LabelBinarizer, LabelEncoder

import nnconvert as nc

IRIS = np.asarray(load_iris().target_names)[load_iris().target]  # 150 real string labels


def _same(got, expected):
    assert type(got) is type(expected) and got.dtype == expected.dtype
    assert got.shape == expected.shape
    if scipy.sparse.issparse(expected):
        assert (got != expected).nnz == 0
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("labels", [IRIS, load_iris().target * 7 - 3, IRIS == "setosa"],
                         ids=["strings", "noncontiguous", "booleans"])
@pytest.mark.parametrize("make", [LabelEncoder, LabelBinarizer,
                                  lambda: LabelBinarizer(neg_label=-2, pos_label=5),
                                  lambda: LabelBinarizer(pos_label=4, sparse_output=True)],
                         ids=["encoder", "binarizer", "binarizer-labels", "binarizer-sparse"])
def test_transform_is_scikit_learns(make, labels):
    transformer = make().fit(labels)
    net = nc.convert(transformer)
    rows = labels[::-1][:40]
    _same(net.transform(rows), transformer.transform(rows))
    _same(net.transform(list(rows)), transformer.transform(list(rows)))
    assert rows.tolist() == labels[::-1][:40].tolist()  # the caller's labels untouched


def test_unknown_labels_as_scikit_learn_treats_them():
    encoder = LabelEncoder().fit(IRIS)
    with pytest.raises(ValueError, match="previously unseen"):
        encoder.transform(["rose"])
    with pytest.raises(ValueError, match="unknown categories"):
        nc.convert(encoder).transform(["rose"])
    binarizer = LabelBinarizer().fit(IRIS)
    rows = np.array(["rose", "setosa", "virginica"])
    _same(nc.convert(binarizer).transform(rows), binarizer.transform(rows))


def test_two_classes_answer_one_column_and_refuse_a_third_label_at_once():
    binarizer = LabelBinarizer().fit(["no", "yes", "no"])
    net = nc.convert(binarizer)
    _same(net.transform(["yes", "no", "maybe"][:2]), binarizer.transform(["yes", "no"]))
    assert binarizer.transform(["yes", "no", "maybe"]).shape[1] == 2  # scikit-learn's quirk
    with pytest.raises(ValueError, match="three or more distinct labels"):
        net.transform(["yes", "no", "maybe"])


def test_labels_must_be_one_dimensional_and_explain_themselves():
    net = nc.convert(LabelEncoder().fit(IRIS))
    np.testing.assert_array_equal(net.transform(IRIS[:3, None]), [0, 0, 0])
    with pytest.raises(ValueError, match="1d array"):
        net.transform(np.stack([IRIS, IRIS], axis=1))
    assert "index of the label" in net.explain()
    assert "label binarizer" in nc.draw(nc.convert(LabelBinarizer().fit(IRIS))).svg()


def test_a_multilabel_binarizer_is_refused_with_the_reason():
    binarizer = LabelBinarizer().fit(np.array([[1, 0], [0, 1], [1, 1]]))
    with pytest.raises(nc.UnsupportedEstimatorError, match="multilabel"):
        nc.convert(binarizer)


@pytest.mark.parametrize("labels", [IRIS, load_iris().target * 7 - 3], ids=["strings", "ints"])
def test_label_encoder_inverse(labels):
    encoder = LabelEncoder().fit(labels)
    net = nc.convert(encoder)
    codes = encoder.transform(labels)[::-3]
    _same(net.inverse_transform(codes), encoder.inverse_transform(codes))
    with pytest.raises(ValueError, match="previously unseen labels"):
        encoder.inverse_transform([0, 3])
    with pytest.raises(ValueError, match="previously unseen labels"):
        net.inverse_transform([0, 3])


@pytest.mark.parametrize("make", [LabelBinarizer, lambda: LabelBinarizer(neg_label=-1)],
                         ids=["default", "negative"])
@pytest.mark.parametrize("labels", [IRIS, IRIS == "setosa"], ids=["three", "two"])
def test_label_binarizer_inverse_reads_argmax_or_threshold(make, labels):
    binarizer = make().fit(labels)
    net = nc.convert(binarizer)
    rng = np.random.default_rng(0)
    width = binarizer.transform(labels[:1]).shape[1]
    rows = np.vstack([binarizer.transform(labels[::7]),
                      rng.uniform(-1.5, 1.5, size=(30, width)),
                      np.zeros((1, width))])  # a tie everywhere: the first class
    _same(net.inverse_transform(rows), binarizer.inverse_transform(rows))
    assert "labels back" in net.inverse_network.explain()
