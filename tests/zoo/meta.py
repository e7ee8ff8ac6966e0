"""Zoo entries for the meta-estimator classifiers (issue 27): error-correcting output codes,
self-training, label propagation and spreading, Gaussian-process classifiers (binary Laplace,
one-vs-rest, one-vs-one), and stacking ensembles used as transformers (their ``transform``).

The zoo fits on fully labelled data (tests/test_meta_classifiers.py fits the semi-supervised
models with unlabelled rows (``-1``) too, and holds the one-vs-one Gaussian-process classifier:
scikit-learn's has a ``predict_proba`` that always raises, its network none.)"""

from sklearn.ensemble import StackingClassifier, StackingRegressor
from sklearn.gaussian_process import GaussianProcessClassifier
from sklearn.gaussian_process.kernels import RBF, ConstantKernel
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.multiclass import OutputCodeClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.semi_supervised import LabelPropagation, LabelSpreading, SelfTrainingClassifier
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from . import Case

CASES = [
    Case("selftraining-svc-iris",
         lambda: SelfTrainingClassifier(SVC(probability=True, random_state=0)), "iris",
         "noncontiguous", tags=("meta", "proba")),
    Case("selftraining-logreg-breast_cancer",
         lambda: make_pipeline(StandardScaler(), SelfTrainingClassifier(
             LogisticRegression(max_iter=1000))), "breast_cancer",
         tags=("meta", "proba", "binary")),
    Case("labelprop-rbf-iris", lambda: LabelPropagation(gamma=5), "iris", "str",
         tags=("meta", "proba")),
    Case("labelspread-knn-wine",
         lambda: make_pipeline(StandardScaler(), LabelSpreading(kernel="knn", n_neighbors=7)),
         "wine", tags=("meta", "proba")),
    Case("gpc-rbf-breast_cancer",
         lambda: make_pipeline(StandardScaler(), GaussianProcessClassifier(
             ConstantKernel(4.0) * RBF(5.0), optimizer=None)), "breast_cancer",
         tags=("meta", "proba")),
    Case("gpc-ovr-iris",
         lambda: GaussianProcessClassifier(1.0 * RBF(1.0), random_state=0), "iris", "str",
         tags=("meta", "proba")),
    Case("ecoc-logreg-iris",
         lambda: OutputCodeClassifier(LogisticRegression(max_iter=1000), code_size=2,
                                      random_state=0), "iris", "str", tags=("meta",)),
    Case("ecoc-linearsvc-wine",
         lambda: make_pipeline(StandardScaler(), OutputCodeClassifier(
             LinearSVC(), code_size=1.5, random_state=3)), "wine", tags=("meta",)),
    Case("ecoc-tree-blobs",
         lambda: OutputCodeClassifier(DecisionTreeClassifier(max_depth=3, random_state=0),
                                      code_size=1, random_state=0), "blobs", "noncontiguous",
         tags=("meta",)),
    Case("stacking-transform-breast_cancer",
         lambda: make_pipeline(StackingClassifier(
             [("lr", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))),
              ("nb", GaussianNB())], passthrough=True), MinMaxScaler()),
         "breast_cancer", tags=("meta",), kind="transformer"),
    Case("stacking-transform-iris",
         lambda: make_pipeline(StackingClassifier(
             [("svc", SVC(random_state=0)), ("tree", DecisionTreeClassifier(max_depth=3))]),
             StandardScaler()), "iris", tags=("meta",), kind="transformer"),
    Case("stacking-transform-diabetes",
         lambda: make_pipeline(StackingRegressor(
             [("ridge", Ridge()), ("knn", KNeighborsRegressor()),
              ("tree", DecisionTreeRegressor(max_depth=4, random_state=0))], passthrough=True),
             StandardScaler()), "diabetes", tags=("meta",), kind="transformer"),
]
