"""BernoulliRBM: its ``transform`` is one layer of sigmoid units.

A restricted Boltzmann machine's ``transform`` returns the hidden units' activation
probabilities given the visible units: ``P(h = 1 | v) = σ(v Wᵀ + c)``, with ``W`` its
``components_`` and ``c`` its ``intercept_hidden_``. That is a dense layer of sigmoid neurons,
nothing more; the visible biases only enter its (stochastic) ``gibbs`` and ``score_samples``,
which are not converted: ``score_samples`` flips a random bit of each row per call.
"""

from __future__ import annotations

from sklearn.neural_network import BernoulliRBM

from ..fitted import Fitted
from ..layers import ActivatedUnits
from ..options import Options
from ..registry import converts_transformer

__all__: list[str] = []


@converts_transformer(BernoulliRBM)
def _bernoulli_rbm(rbm: BernoulliRBM, options: Options) -> list:
    """One layer of sigmoid units: ``P(h = 1 | v) = σ(v Wᵀ + c)``.

    ``gibbs`` and ``score_samples`` are not converted: they draw at random.
    """
    fitted = Fitted(rbm)
    components = fitted.array("components_", shape=(None, fitted.n_features))
    hidden = fitted.array("intercept_hidden_", shape=(components.shape[0],))
    return [ActivatedUnits(components, hidden, activation="sigmoid",
                           title="RBM hidden units, P(h = 1 | v)",
                           unit_names=[f"h{j}" for j in range(components.shape[0])])]
