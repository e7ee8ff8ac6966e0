"""Text: pipelines that start with a vectorizer, on real sentences (scikit-learn's dataset
descriptions, labelled by topic).

The vectorizer runs outside the network (tokenising is not a network); its tf-idf weighting
is layers. The network takes documents or the vectorised matrix, verifies, explains, draws,
pickles and exports from the matrix on.
"""

from __future__ import annotations

import json
import pickle
import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
import torch
from equivalence import assert_equivalent
from sklearn.feature_extraction.text import (
    CountVectorizer,
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from zoo import descriptions, fitted, ids

import nnconvert as nc
from nnconvert.errors import UnsupportedEstimatorError
from nnconvert.preprocessing.tfidf import IdfWeights, SublinearTf

TEXT = ids("text")


def test_the_corpus_is_real_text_in_four_topics():
    documents, labels = descriptions()
    assert len(documents) > 250 and all(isinstance(d, str) for d in documents)
    assert sorted(set(labels)) == ["images", "life", "places", "text"]
    assert min(np.unique(labels, return_counts=True)[1]) >= 40


@pytest.mark.parametrize("case_id", TEXT)
def test_float64_network_is_exact_on_documents(case_id):
    estimator, train, test = fitted(case_id)
    net = nc.convert(estimator)
    assert net.text_input is not None
    for documents in (test, train):
        assert_equivalent(estimator, net, documents)
    np.testing.assert_array_equal(net.predict(test), estimator.predict(test))


@pytest.mark.parametrize("case_id", TEXT)
def test_float32_network_agrees_outside_tie_band(case_id):
    estimator, _, test = fitted(case_id)
    assert_equivalent(estimator, nc.convert(estimator, dtype=torch.float32), test)


@pytest.mark.parametrize("case_id", TEXT)
def test_verify_streams_documents_in_blocks(case_id):
    estimator, _, test = fitted(case_id)
    net = nc.convert(estimator)
    report = nc.verify(estimator, net, pd.Series(test), batch_size=16, progress=False)
    assert report.passed and report.n_samples == len(test) and report.n_disagreements == 0


def test_every_input_form_gives_the_same_answers():
    estimator, _, test = fitted("text-tfidf-logreg")
    net = nc.convert(estimator)
    expected = estimator.predict_proba(test)
    counts = net.vectorize(test)
    assert scipy.sparse.issparse(counts) and counts.shape == (len(test), net.n_features_in_)
    for X in (test, tuple(test), np.array(test), np.array(test, dtype=object),
              pd.Series(test, index=np.arange(len(test)) + 1000), counts, counts.tocsc(),
              counts.toarray()):
        np.testing.assert_allclose(net.predict_proba(X), expected, rtol=1e-12, atol=1e-15)
    # forward() reads the counts as a tensor: the weighting, then the neurons
    scores = net(torch.tensor(counts.toarray())).detach().numpy()
    np.testing.assert_allclose(scores, estimator.decision_function(test), rtol=1e-12,
                               atol=1e-14)


def test_tfidf_weighting_is_layers_and_keeps_rows_sparse():
    estimator, _, test = fitted("text-hashing-tfidf-sublinear-logreg")
    net = nc.convert(estimator)
    kinds = [type(layer).__name__ for layer in net.body]
    assert kinds == ["SublinearTf", "IdfWeights", "RowNormalizer", "LinearUnits"]
    assert net.reads_sparse()  # the weighting passes sparse rows to the linear layer
    counts = net.as_tensor(test)
    assert counts.layout == torch.sparse_csr
    weighted = net.body[:3](counts)
    assert weighted.layout == torch.sparse_csr
    expected = estimator[:-1].transform(test).toarray()
    np.testing.assert_allclose(weighted.to_dense().numpy(), expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("sublinear_tf", [False, True])
@pytest.mark.parametrize("norm", ["l1", "l2", None])
@pytest.mark.parametrize("use_idf", [False, True])
def test_tfidf_transformer_alone_matches_sparse_and_dense(sublinear_tf, norm, use_idf):
    documents, _ = descriptions()
    counts = CountVectorizer().fit_transform(documents)
    tfidf = TfidfTransformer(norm=norm, use_idf=use_idf, sublinear_tf=sublinear_tf,
                             smooth_idf=not use_idf).fit(counts)
    net = nc.convert(tfidf)
    assert any(isinstance(layer, SublinearTf) for layer in net.body) == sublinear_tf
    assert any(isinstance(layer, IdfWeights) for layer in net.body) == use_idf
    expected = tfidf.transform(counts).toarray()
    for X in (counts, counts.toarray().astype(np.float64)):
        np.testing.assert_allclose(net.transform(X), expected, rtol=1e-13, atol=1e-15)


def test_sublinear_tf_is_one_plus_log_of_nonzero_counts_only():
    layer = SublinearTf(3)
    x = torch.tensor([[0.0, 1.0, 4.0]], dtype=torch.float64)
    np.testing.assert_allclose(layer(x).numpy(), [[0.0, 1.0, 1.0 + np.log(4.0)]])


def test_explain_names_the_vectorizer_outside_the_network():
    estimator, _, _ = fitted("text-tfidf-sublinear-l1-bigrams-linearsvc")
    text = nc.convert(estimator).explain()
    assert "TfidfVectorizer (step 'tfidfvectorizer', run outside the network" in text
    assert "1 + log(x_j)" in text and "idf_j" in text and "Σ_j |h2_j|" in text


def test_diagram_starts_at_the_vectorizers_matrix_named_by_term():
    estimator, _, _ = fitted("text-tfidf-logreg")
    net = nc.convert(estimator)
    graph = nc.to_networkx(net)
    assert graph.graph["groups"]["input"]["title"] == (
        "documents → TfidfVectorizer's term counts (outside the network)")
    terms = estimator[0].get_feature_names_out()
    assert graph.nodes["input_0"]["name"] == terms[0]
    assert "outside the network" in nc.draw(net).graph.source


def test_pickles_and_deep_copies_with_its_vectorizer():
    estimator, _, test = fitted("text-count-bigrams-complementnb")
    net = nc.convert(estimator)
    again = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(again.predict(test), estimator.predict(test))
    # the network holds a copy: refitting the pipeline's vectorizer changes nothing
    assert net.text_input.vectorizer is not estimator[0]


def test_export_starts_at_the_matrix_and_says_which_vectorizer(tmp_path):
    from nnconvert.export import read_metadata

    estimator, _, test = fitted("text-tfidf-sublinear-l1-bigrams-linearsvc")
    net = nc.convert(estimator)
    path = nc.export(net, tmp_path / "text.pt2")
    meta = read_metadata(path)
    assert meta["text_input"]["vectorizer"] == "TfidfVectorizer"
    assert meta["text_input"]["params"]["ngram_range"] == [1, 2]
    assert meta["text_input"]["functions"] == {} and meta["text_input"]["dtype"] == "float64"
    assert meta["text_input"]["vocabulary"] == {
        k: int(v) for k, v in estimator[0].vocabulary_.items()}
    json.dumps(meta)
    module = torch.export.load(path).module()
    scores, _ = module(torch.tensor(net.vectorize(test).toarray()))
    np.testing.assert_allclose(scores.detach().numpy(), estimator.decision_function(test),
                               rtol=1e-12, atol=1e-14)


def test_documents_refused_where_they_do_not_belong():
    estimator, _, test = fitted("text-tfidf-logreg")
    net = nc.convert(estimator)
    with pytest.raises(ValueError, match=r"single string; wrap it in a list"):
        net.predict(test[0])
    with pytest.raises(ValueError, match="0 documents"):
        net.predict([])
    with pytest.raises(ValueError, match=r"document 1 is nan .*fillna"):
        net.predict([test[0], np.nan])
    with pytest.raises(ValueError, match=r"dataframe.*df\['text'\]"):
        net.predict(pd.DataFrame({"text": test}))
    with pytest.raises(ValueError, match=r"1-D sequence of documents"):
        net.predict(np.array([test[:2], test[2:4]]))
    with pytest.raises(ValueError, match=r"document 0 is 1\.5"):
        net.predict(np.array([1.5, 2.5]))


def test_strings_given_to_a_network_without_vectorizer_are_refused():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    net = nc.convert(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y))
    for documents in (["a sentence"], pd.Series(["one", "two"]), "text"):
        with pytest.raises(ValueError, match="reads a matrix of features, not text"):
            net.predict(documents)
    with pytest.raises(ValueError, match="no text vectorizer"):
        net.vectorize(["a sentence"])


def test_vectorizer_not_first_is_refused_with_the_fix():
    documents, labels = descriptions()
    with pytest.raises(UnsupportedEstimatorError, match="first step of a Pipeline"):
        nc.convert(TfidfVectorizer().fit(documents))
    from sklearn.compose import ColumnTransformer

    frame = pd.DataFrame({"text": documents, "n": np.arange(len(documents), dtype=float)})
    model = make_pipeline(ColumnTransformer([("words", HashingVectorizer(), "text"),
                                             ("n", StandardScaler(), ["n"])]),
                          LogisticRegression(max_iter=200)).fit(frame, labels)
    with pytest.raises(UnsupportedEstimatorError, match="inside a ColumnTransformer"):
        nc.convert(model)


def test_a_vectorizer_alone_in_a_pipeline_is_its_weighting():
    documents, _ = descriptions()
    model = make_pipeline(TfidfVectorizer(sublinear_tf=True)).fit(documents)
    net = nc.convert(model)
    np.testing.assert_allclose(net.transform(documents[:40]),
                               model.transform(documents[:40]).toarray(), rtol=1e-13,
                               atol=1e-15)


def test_command_line_verifies_a_text_model_on_a_file_of_documents(tmp_path):
    import subprocess
    import sys

    import skops.io as sio

    estimator, _, test = fitted("text-tfidf-logreg")
    sio.dump(estimator, tmp_path / "model.skops")
    (tmp_path / "docs.txt").write_text("\n".join(test), encoding="utf-8")
    np.save(tmp_path / "numbers.npy", np.ones((3, 4)))
    run = [sys.executable, "-m", "nnconvert", "verify", str(tmp_path / "model.skops"),
           "--json", "--data"]
    done = subprocess.run([*run, str(tmp_path / "docs.txt")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["passed"] and report["n_samples"] == len(test)
    wrong = subprocess.run([*run, str(tmp_path / "numbers.npy")], capture_output=True,
                           text=True, timeout=300)
    assert wrong.returncode == 2 and "features per row" in wrong.stderr
    frame = pd.DataFrame({"id": np.arange(len(test)), "text": test})
    frame.to_csv(tmp_path / "docs.csv", index=False)  # quoted: sentences hold commas
    from_csv = subprocess.run([*run, str(tmp_path / "docs.csv"), "--text-column", "text"],
                              capture_output=True, text=True, timeout=300)
    assert from_csv.returncode == 0, from_csv.stderr
    assert json.loads(from_csv.stdout)["n_samples"] == len(test)
    missing = subprocess.run([*run, str(tmp_path / "docs.csv"), "--text-column", "body"],
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "no column 'body'" in missing.stderr
    converted = subprocess.run(
        [sys.executable, "-m", "nnconvert", "convert", str(tmp_path / "model.skops"), "-o",
         str(tmp_path / "model.pt2")], capture_output=True, text=True, timeout=300)
    assert converted.returncode == 0, converted.stderr
    assert "tokenising is not in it" in converted.stderr


def test_a_float32_vectorizer_is_judged_at_float32_precision():
    documents, labels = descriptions()
    model = make_pipeline(TfidfVectorizer(dtype=np.float32),
                          LogisticRegression(max_iter=1000)).fit(documents, labels)
    net = nc.convert(model)
    report = nc.verify(model, net, documents, progress=False)
    assert report.passed and report.rtol == pytest.approx(1e-4)
    # scikit-learn weighted the counts in float32; the float64 network is that close
    np.testing.assert_allclose(net.predict_proba(documents), model.predict_proba(documents),
                               rtol=1e-5, atol=1e-6)


def test_the_way_back_keeps_the_vectorizer_in_front():
    documents, labels = descriptions()
    model = make_pipeline(CountVectorizer(ngram_range=(1, 2)),
                          LogisticRegression(max_iter=2000)).fit(documents, labels)
    net = nc.convert(model)
    with pytest.raises(ValueError, match=r"toarray\(\)"):
        nc.fine_tune(net, documents, labels)
    tuned = nc.fine_tune(net, net.vectorize(documents).toarray(), labels, epochs=2)
    back = nc.to_sklearn(tuned)
    assert isinstance(back[0], CountVectorizer) and back[0] is not model[0]
    np.testing.assert_allclose(back.decision_function(documents),
                               tuned.decision_function(documents), rtol=1e-12, atol=1e-12)
    assert not np.allclose(back.decision_function(documents), model.decision_function(documents))


def test_a_search_over_documents_finds_nothing_then_finds_a_broken_weight():
    from nnconvert.testing import find_disagreement

    estimator, train, _ = fitted("text-tfidf-sublinear-l1-bigrams-linearsvc")
    net = nc.convert(estimator)
    assert find_disagreement(estimator, net, train, max_examples=60) is None
    broken = nc.convert(estimator)
    idf = next(layer for layer in broken.body if isinstance(layer, IdfWeights)).idf
    idf[estimator[0].vocabulary_["the"]] *= 1.01  # the commonest word weighs 1% more
    found = find_disagreement(estimator, broken, train, max_examples=200)
    assert isinstance(found, str) and "the" in re.findall(r"\w+", found.lower())


def test_onnx_export_of_a_sublinear_tfidf_network_runs_in_onnxruntime(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    estimator, _, test = fitted("text-hashing-tfidf-sublinear-logreg")
    net = nc.convert(estimator)
    path = nc.export(net, tmp_path / "text.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    scores, label_index = session.run(None, {name: net.vectorize(test).toarray()})
    np.testing.assert_allclose(scores, estimator.decision_function(test), rtol=1e-12,
                               atol=1e-13)
    np.testing.assert_array_equal(net.classes_[label_index], estimator.predict(test))
