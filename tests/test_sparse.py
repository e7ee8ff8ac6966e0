"""Sparse input: scipy.sparse rows through a converted network without densifying the matrix.

A first linear layer multiplies the sparse rows as they are; any other network reads blocks of
rows, densified one block at a time.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.sparse
from equivalence import assert_equivalent
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.svm import SVC, LinearSVC

import nnconvert as nc
from nnconvert.network.base import SPARSE_BLOCK_ROWS

SENTENCES = [
    "the cat sat on the warm mat", "a dog chased the red ball", "cats sleep most of the day",
    "the dog barked at the mailman", "my cat ignores the new toy", "dogs love long walks",
    "the kitten purred on my lap", "a puppy chewed the old shoe", "the cat hunted a small mouse",
    "the dog dug a hole in the garden", "cats climb the tall curtains", "the dog fetched a stick",
    "a tabby cat watched the birds", "the hound followed the scent", "my cat knocked a glass over",
    "the retriever swam in the lake", "the cat hid under the bed", "a dog guarded the house",
]
LABELS = np.array([0, 1] * 9)


@pytest.fixture(scope="module")
def tfidf():
    X = TfidfVectorizer().fit_transform(SENTENCES)
    assert scipy.sparse.issparse(X)
    return X


@pytest.mark.parametrize("form", ["csr", "csc"])
@pytest.mark.parametrize("make", [lambda: LogisticRegression(C=10.0), LinearSVC])
def test_linear_classifiers_on_tfidf(tfidf, make, form):
    model = make().fit(tfidf, LABELS)
    net = nc.convert(model)
    X = tfidf.asformat(form)
    assert net.reads_sparse()
    assert_equivalent(model, net, X)
    np.testing.assert_array_equal(net.predict(X), model.predict(X))


def test_ridge_on_random_sparse_matrix():
    X = scipy.sparse.random(300, 80, density=0.05, format="csr", random_state=0)
    y = np.asarray(X.sum(axis=1)).ravel() * 3 + 1
    model = Ridge(alpha=0.1).fit(X, y)
    got = nc.convert(model).predict(X)
    np.testing.assert_allclose(got, model.predict(X), rtol=1e-9, atol=1e-9 * np.abs(y).max())


def test_rbf_svc_reads_sparse_in_blocks():
    X = scipy.sparse.random(SPARSE_BLOCK_ROWS + 50, 40, density=0.1, format="csr",
                            random_state=2)
    y = (np.asarray(X.sum(axis=1)).ravel() > 2.0).astype(int)
    model = SVC(kernel="rbf", gamma=0.5).fit(X[:400], y[:400])
    net = nc.convert(model)
    assert not net.reads_sparse()
    got = net.outputs(X)  # two blocks
    np.testing.assert_array_equal(got["predict"], model.predict(X))
    np.testing.assert_allclose(got["decision_function"], model.decision_function(X),
                               rtol=1e-9, atol=1e-9)


def test_sparse_input_with_nan_or_wrong_width_refused(tfidf):
    net = nc.convert(LogisticRegression().fit(tfidf, LABELS))
    bad = tfidf.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        net.predict(bad)
    assert np.isnan(bad.data[0])  # the caller's matrix is as it was
    with pytest.raises(ValueError, match=r"has 5 features, but .* expects"):
        net.predict(tfidf[:, :5])


def test_large_sparse_matrix_is_not_densified():
    # 200,000 × 5,000 at 0.1%: about 12 MB sparse, 8 GB dense; the process may not grow by 1 GB
    script = textwrap.dedent("""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))
        import numpy as np, scipy.sparse, psutil
        from sklearn.linear_model import LogisticRegression
        import nnconvert as nc
        small = scipy.sparse.random(2000, 5000, density=0.01, format="csr", random_state=0)
        model = LogisticRegression().fit(small, np.arange(2000) % 2)
        net = nc.convert(model)
        rng = np.random.default_rng(1)
        rows, cols = rng.integers(0, 200_000, 1_000_000), rng.integers(0, 5000, 1_000_000)
        X = scipy.sparse.coo_matrix((rng.random(1_000_000), (rows, cols)),
                                    shape=(200_000, 5000)).tocsr()
        before = psutil.Process().memory_info().rss
        scores = net.decision_function(X)
        grown = psutil.Process().memory_info().rss - before
        assert np.allclose(scores[:100], model.decision_function(X[:100]), rtol=1e-9)
        print(grown)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.split()[-1]) < 2**30  # measured: about 25 MB
