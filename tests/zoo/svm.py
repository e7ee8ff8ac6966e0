"""Zoo entries for kernel SVMs (libsvm's SVC and NuSVC).

Every kernel, every gamma form ('scale', 'auto', a number), binary and multiclass (digits:
10 classes, 45 pair neurons), both decision_function shapes, break_ties, class weights,
string and non-contiguous labels, probabilities (Platt + coupling, binary included), and
pipelines with scalers. ``probability=True`` is deprecated in scikit-learn 1.9 but still
fits, and fitted models with it still exist: the zoo keeps them.
"""

from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.svm import SVC, NuSVC

from . import Case


def _scaled(model, scaler=StandardScaler):
    return lambda: make_pipeline(scaler(), model())


CASES = [
    Case("svc-rbf-iris", lambda: SVC(), "iris"),
    Case("svc-rbf-iris-ovo-str", lambda: SVC(decision_function_shape="ovo", C=3.0), "iris",
         "str"),
    Case("svc-linear-wine-noncontig",
         _scaled(lambda: SVC(kernel="linear", C=0.5)), "wine", "noncontiguous"),
    Case("svc-poly-wine-auto-coef0",
         _scaled(lambda: SVC(kernel="poly", degree=3, gamma="auto", coef0=1.0)), "wine"),
    Case("svc-sigmoid-iris-numeric-gamma",
         _scaled(lambda: SVC(kernel="sigmoid", gamma=0.1, coef0=0.5, C=2.0)), "iris", "str"),
    Case("svc-rbf-breast_cancer-scaled",
         _scaled(lambda: SVC(C=2.0)), "breast_cancer", tags=("binary",)),
    Case("svc-rbf-breast_cancer-raw-str", lambda: SVC(), "breast_cancer", "str",
         tags=("binary",)),
    Case("svc-rbf-iris-proba", lambda: SVC(probability=True, random_state=0), "iris",
         tags=("proba",)),
    Case("svc-rbf-breast_cancer-proba",
         _scaled(lambda: SVC(probability=True, random_state=0)), "breast_cancer", "str",
         tags=("proba", "binary")),
    Case("nusvc-rbf-wine", _scaled(lambda: NuSVC(nu=0.3)), "wine"),
    Case("nusvc-poly-iris-proba",
         lambda: NuSVC(kernel="poly", degree=2, probability=True, random_state=0), "iris",
         tags=("proba",)),
    Case("nusvc-sigmoid-breast_cancer-minmax",
         _scaled(lambda: NuSVC(kernel="sigmoid", nu=0.5, gamma="auto"), MinMaxScaler),
         "breast_cancer", tags=("binary",)),
    Case("svc-rbf-digits", lambda: SVC(gamma="scale"), "digits"),
    Case("svc-rbf-digits-ovo-proba",
         lambda: SVC(decision_function_shape="ovo", probability=True, random_state=0),
         "digits", "str", tags=("proba",)),
    Case("svc-linear-digits-class-weight",
         lambda: SVC(kernel="linear", C=0.1, class_weight={0: 3.0, 5: 0.5}), "digits"),
    Case("svc-poly-digits-minmax-break-ties",
         _scaled(lambda: SVC(kernel="poly", degree=2, break_ties=True), MinMaxScaler),
         "digits", "noncontiguous"),
    Case("svc-rbf-wine-break-ties-balanced",
         _scaled(lambda: SVC(break_ties=True, class_weight="balanced", gamma=0.05)), "wine",
         "str"),
    Case("nusvc-rbf-blobs-ovo-proba",
         lambda: NuSVC(nu=0.2, decision_function_shape="ovo", probability=True, random_state=0),
         "blobs", tags=("proba",)),
]
