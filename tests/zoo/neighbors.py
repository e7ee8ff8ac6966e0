"""Zoo entries for neighbours, discriminant analysis, centroids and dummies: distance and
quadratic units, a k-smallest selection, constant units."""

import numpy as np
from sklearn.datasets import load_iris, load_wine
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.neighbors import (
    KNeighborsClassifier,
    KNeighborsRegressor,
    NearestCentroid,
    RadiusNeighborsClassifier,
    RadiusNeighborsRegressor,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import Case


def _regressor(id, make, dataset, *tags):
    return Case(id, make, dataset, tags=("neighbors", *tags), kind="regressor")


CASES = [
    Case("knn-iris", KNeighborsClassifier, "iris", tags=("neighbors",)),
    Case("knn-digits-distance", lambda: KNeighborsClassifier(7, weights="distance"), "digits",
         tags=("neighbors", "ties")),
    Case("knn-wine-manhattan-str", lambda: KNeighborsClassifier(3, metric="manhattan"), "wine",
         labels="str", tags=("neighbors",)),
    Case("knn-cancer-cosine", lambda: KNeighborsClassifier(4, metric="cosine"),
         "breast_cancer", tags=("neighbors",)),
    Case("knn-wine-seuclidean", lambda: KNeighborsClassifier(
        5, metric="seuclidean", metric_params={"V": load_wine().data.var(axis=0)}), "wine",
         tags=("neighbors",)),
    Case("knn-iris-mahalanobis-distance", lambda: KNeighborsClassifier(
        4, weights="distance", metric="mahalanobis",
        metric_params={"VI": np.linalg.inv(np.cov(load_iris().data.T))}), "iris",
         tags=("neighbors",)),
    Case("knn-blobs-minkowski3", lambda: KNeighborsClassifier(6, p=3), "blobs",
         labels="noncontiguous", tags=("neighbors",)),
    Case("pipe-standard-knn-wine", lambda: make_pipeline(StandardScaler(),
                                                         KNeighborsClassifier(5)),
         "wine", tags=("neighbors",)),
    Case("radius-iris-outliers", lambda: RadiusNeighborsClassifier(
        0.6, outlier_label="most_frequent"), "iris", tags=("neighbors",)),
    Case("radius-wine-distance-str", lambda: make_pipeline(
        StandardScaler(), RadiusNeighborsClassifier(3.0, weights="distance",
                                                    outlier_label="class_0")),
         "wine", labels="str", tags=("neighbors",)),
    Case("qda-iris", QuadraticDiscriminantAnalysis, "iris", tags=("neighbors",)),
    Case("qda-cancer-reg", lambda: QuadraticDiscriminantAnalysis(reg_param=0.1),
         "breast_cancer", tags=("neighbors",)),
    Case("qda-blobs-priors-str",
         lambda: QuadraticDiscriminantAnalysis(priors=[0.1, 0.2, 0.3, 0.4], reg_param=0.01),
         "blobs",
         labels="str", tags=("neighbors",)),
    Case("centroid-iris", NearestCentroid, "iris", tags=("neighbors",)),
    Case("centroid-wine-empirical-shrink",
         lambda: NearestCentroid(priors="empirical", shrink_threshold=0.2), "wine",
         tags=("neighbors",)),
    Case("centroid-cancer", NearestCentroid, "breast_cancer", tags=("neighbors",)),
    Case("dummy-prior-wine", lambda: DummyClassifier(strategy="prior"), "wine",
         tags=("neighbors", "constant")),
    Case("dummy-constant-iris-str",
         lambda: DummyClassifier(strategy="constant", constant="versicolor"), "iris",
         labels="str", tags=("neighbors", "constant")),
    _regressor("knnreg-diabetes", KNeighborsRegressor, "diabetes"),
    _regressor("knnreg-friedman-distance",
               lambda: KNeighborsRegressor(4, weights="distance", metric="manhattan"),
               "friedman"),
    _regressor("knnreg-diabetes-two-targets", lambda: KNeighborsRegressor(3), "diabetes2",
               "multioutput"),
    _regressor("radiusreg-diabetes", lambda: RadiusNeighborsRegressor(0.15), "diabetes"),
    _regressor("radiusreg-friedman-distance-two",
               lambda: RadiusNeighborsRegressor(0.9, weights="distance"), "friedman"),
    _regressor("dummyreg-median-diabetes", lambda: DummyRegressor(strategy="median"),
               "diabetes", "constant"),
    _regressor("dummyreg-quantile-diabetes-two-targets",
               lambda: DummyRegressor(strategy="quantile", quantile=0.25), "diabetes2",
               "multioutput", "constant"),
]
