"""The closed-form transformers of issue 27: each converts exactly (the zoo's parametrized
tests hold them to scikit-learn), explains and draws itself, works as a pipeline step, and
refuses what scikit-learn refuses with its words."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from sklearn.cluster import FeatureAgglomeration
from sklearn.datasets import load_digits, load_wine
from sklearn.decomposition import FactorAnalysis, KernelPCA
from sklearn.ensemble import RandomTreesEmbedding
from sklearn.kernel_approximation import AdditiveChi2Sampler, SkewedChi2Sampler
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import KernelCenterer, MinMaxScaler, StandardScaler
from zoo import fitted, ids

import nnconvert as nc

CLOSED_FORM = ids("closed-form", kind="transformer") + ids("closed-form", kind="regressor")

#: the words each one's explanation must contain: what the network is
WORDS = {"rbm-digits": "σ(W·", "nca-wine": "NCA projection",
         "sparsepca-wine": "ridge solve", "minibatch-sparsepca-digits": "ridge solve",
         "factor-analysis-breast_cancer": "posterior mean",
         "factor-analysis-varimax-wine": "posterior mean",
         "agglomeration-digits": "cluster means", "skewed-chi2-digits": "log(",
         "additive-chi2-iris": "cosh", "count-sketch-wine": "FFT",
         "plscanonical-transform-diabetes2": "X scores",
         "cca-transform-diabetes2": "X scores", "plssvd-transform-diabetes2": "X scores",
         "plscanonical-diabetes2": "PLS", "cca-diabetes2": "PLS",
         "trees-embedding-wine": "leaf units", "knn-imputer-wine": "k-NN imputation"}


@pytest.mark.parametrize("case_id", CLOSED_FORM)
def test_each_explains_and_draws_itself(case_id):
    estimator, _, X_test = fitted(case_id)
    net = nc.convert(estimator)
    assert WORDS[case_id] in net.explain()
    svg = nc.draw(net).svg()
    assert svg.startswith("<?xml") or "<svg" in svg


def test_an_rbm_is_one_sigmoid_layer_before_a_classifier():
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(MinMaxScaler(), BernoulliRBM(n_components=24, n_iter=5,
                                                      random_state=0),
                         LogisticRegression(max_iter=2000)).fit(X, y)
    net = nc.convert(pipe)
    rbm = net.body[1].describe()
    assert rbm.activation_kind == "sigmoid" and (rbm.n_in, rbm.n_out) == (64, 24)
    np.testing.assert_array_equal(net.predict(X), pipe.predict(X))
    scale = np.abs(pipe.decision_function(X)).max()
    assert np.abs(net.decision_function(X) - pipe.decision_function(X)).max() <= 1e-9 * scale


def test_chi2_samplers_refuse_what_scikit_learn_refuses():
    X, _ = load_digits(return_X_y=True)
    skewed = SkewedChi2Sampler(skewedness=1.0, n_components=10, random_state=0).fit(X)
    with pytest.raises(ValueError, match="smaller than -skewedness"):
        skewed.transform(X - 2)
    with pytest.raises(ValueError, match="smaller than -skewedness"):
        nc.convert(skewed).transform(X - 2)
    additive = AdditiveChi2Sampler().fit(X)
    with pytest.raises(ValueError, match="Negative values"):
        nc.convert(additive).transform(X - 1)
    additive.sample_steps = 4  # scikit-learn's fit refuses it: a file edited after fitting
    with pytest.raises(nc.UnsupportedEstimatorError, match="sample_interval"):
        nc.convert(additive)


def test_kernel_centerer_and_precomputed_kernel_pca_are_linear_in_the_kernel_row():
    X, _ = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    K_fit, K_new = rbf_kernel(X[:120], X[:120], gamma=0.05), rbf_kernel(X[120:], X[:120],
                                                                         gamma=0.05)
    centerer = KernelCenterer().fit(K_fit)
    got, expected = nc.convert(centerer).transform(K_new), centerer.transform(K_new)
    assert np.abs(got - expected).max() <= 1e-12
    kpca = KernelPCA(4, kernel="precomputed").fit(K_fit)
    net = nc.convert(kpca)
    assert [layer.describe().title for layer in net.body] == ["kernel centring",
                                                               "kernel principal components"]
    expected = kpca.transform(K_new)
    assert np.abs(net.transform(K_new) - expected).max() <= 1e-9 * np.abs(expected).max()


def test_kernel_pca_inverse_is_kernel_units_on_the_training_scores():
    X, _ = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    kpca = KernelPCA(4, kernel="rbf", gamma=0.05, fit_inverse_transform=True).fit(X)
    net = nc.convert(kpca)
    Z = kpca.transform(X) * 1.1
    expected = kpca.inverse_transform(Z)
    assert np.abs(net.inverse_transform(Z) - expected).max() <= 1e-9 * np.abs(expected).max()
    refused = nc.convert(KernelPCA(4, kernel="rbf").fit(X))
    with pytest.raises(nc.UnsupportedEstimatorError, match="fit_inverse_transform=True"):
        refused.inverse_transform(Z)


def test_refusals_name_the_reason():
    X, _ = load_wine(return_X_y=True)
    with pytest.raises(nc.UnsupportedEstimatorError, match="np.mean pooling"):
        nc.convert(FeatureAgglomeration(3, pooling_func=np.median).fit(X))
    fa = FactorAnalysis(2, random_state=0).fit(X)
    fa.noise_variance_ = np.zeros_like(fa.noise_variance_)
    with pytest.raises(nc.InvalidModelError, match="noise_variance_"):
        nc.convert(fa)
    rbm = BernoulliRBM(4, n_iter=1, random_state=0).fit(X / X.max())
    rbm.components_ = rbm.components_[:, :5]
    with pytest.raises(nc.InvalidModelError, match="components_"):
        nc.convert(rbm)


@pytest.mark.parametrize("tree_form", ["network", "traversal"])
def test_random_trees_embedding_is_sparse_as_scikit_learns_and_answers_apply(tree_form):
    X, y = load_wine(return_X_y=True)
    embedding = RandomTreesEmbedding(n_estimators=8, max_depth=4, random_state=0).fit(X)
    net = nc.convert(embedding, tree_form=tree_form)
    rows = np.vstack([X, X[:20] * 1.7])
    rows[::9, 3] = np.nan  # routed as the fitted trees route missing values
    got, expected = net.transform(rows), embedding.transform(rows)
    assert isinstance(got, scipy.sparse.csr_matrix) and type(got) is type(expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert (got != expected).nnz == 0
    np.testing.assert_array_equal(net.apply(rows), embedding.apply(rows))
    indicator, pointers = net.decision_path(rows)
    assert (indicator != embedding.decision_path(rows)[0]).nnz == 0
    np.testing.assert_array_equal(pointers, embedding.decision_path(rows)[1])
    # as a pipeline step, before a linear model: the leaves feed its neurons
    pipe = make_pipeline(embedding, LogisticRegression(max_iter=2000)).fit(X, y)
    np.testing.assert_array_equal(nc.convert(pipe, tree_form=tree_form).predict(rows),
                                  pipe.predict(rows))
