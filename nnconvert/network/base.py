"""ConvertedNetwork: what every converted network shares, whatever its estimator answers.

A network is a body (the layers, applied in order) and a head (which turns the body's output
into scikit-learn's answers). ``forward`` is torch's side: a tensor in, the raw output out.
:meth:`ConvertedNetwork.outputs` is scikit-learn's side: any array-like in, checked as
scikit-learn checks it, numpy out, several methods from one pass through the body. verify,
export and training build on :meth:`ConvertedNetwork.output_tensors`, the same pass on
tensors. The three kinds (classifier, regressor, transformer) add their named methods.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Iterator, Sequence

import numpy as np
import scipy.sparse
import torch
from torch import nn

from ..errors import UnsupportedEstimatorError
from ..layers import LayerDescription, LinearUnits
from .folded import FoldedForm
from .heads import Head
from .lean import lean_tensor
from .schema import InputSchema
from .stage import InputStage, documents_refused, looks_like_documents
from .threads import threads_for, work_per_row
from .tree_methods import TreeMethods

__all__ = ["ConvertedNetwork", "SPARSE_BLOCK_ROWS", "SPARSE_BLOCK_BYTES", "sparse_blocks"]

#: the most rows of a sparse matrix densified at a time for a network whose first layer is
#: not linear
SPARSE_BLOCK_ROWS = 4096
#: the most bytes a densified block may take: wide rows (a HashingVectorizer's 2**20
#: columns are 8 MiB a row in float64) come a few at a time, so memory follows this budget
#: whatever the width
SPARSE_BLOCK_BYTES = 16 << 20


def sparse_blocks(X, dtype) -> Iterator:
    """The rows of the sparse matrix ``X`` as dense numpy blocks of ``dtype``, each at most
    :data:`SPARSE_BLOCK_BYTES` (one row at least) and :data:`SPARSE_BLOCK_ROWS` rows."""
    row_bytes = max(1, X.shape[1]) * np.dtype(dtype).itemsize
    rows = max(1, min(SPARSE_BLOCK_ROWS, SPARSE_BLOCK_BYTES // row_bytes))
    for start in range(0, X.shape[0], rows):
        yield X[start:start + rows].toarray()


def _refuse_inner_categorical(layers, source: str) -> None:
    """Only the first layer may read categories: the schema maps raw values to codes at the
    boundary, and a layer after another would read numbers as if they were codes."""
    for position, layer in enumerate(layers[1:], start=2):
        columns = layer.input_columns() if hasattr(layer, "input_columns") else None
        if columns and any(spec.kind == "categorical" for spec in columns):
            raise UnsupportedEstimatorError(
                f"{source}: layer {position} ({layer.describe().title}) encodes categories, "
                "but only the first step can: it reads raw values, which the network maps to "
                "category codes at its input. Put the encoder first (or in a "
                "ColumnTransformer branch of its own).")


def _sparse_tensor(X: scipy.sparse.csr_matrix, device) -> torch.Tensor:
    """A CSR matrix as a torch sparse CSR tensor (copies of its arrays: never shared)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return torch.sparse_csr_tensor(
            torch.tensor(X.indptr, dtype=torch.int64), torch.tensor(X.indices, dtype=torch.int64),
            torch.tensor(X.data), size=X.shape, device=device, check_invariants=False)


class ConvertedNetwork(TreeMethods, nn.Module):
    """A fitted scikit-learn estimator rebuilt from neural-network layers.

    Build one with :func:`nnconvert.convert`, not directly.

    Parameters
    ----------
    layers : sequence of torch.nn.Module
        The body, applied in order; each layer describes itself for ``explain()`` and diagrams.
    head : Head
        Turns the body's output into the estimator's answers.
    n_features_in : int
        Number of input features.
    feature_names_in : array-like of str or None
        Feature names seen at fit time, when the estimator recorded them.
    source : str
        A short description of the estimator, used in messages and in ``explain()``.

    Attributes
    ----------
    body : torch.nn.Sequential
    head : Head
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray
        Only present when the estimator has it.
    input_schema : InputSchema
        What each column of the tensor :meth:`forward` takes holds (from the first layer's
        ``input_columns()``), and how the scikit-learn methods map data onto it.
    origin : tuple of (type, dict) or None
        Class and parameters of the estimator the last layer came from, set by
        :func:`nnconvert.convert` for linear models; :func:`nnconvert.to_sklearn` reads it.
    input_stage : InputStage or None
        What the scikit-learn methods run outside the network before its first layer (a
        text vectorizer at a pipeline's front: documents in, the matrix out), set by
        :func:`nnconvert.convert`; None for networks that read numbers only.
        ``text_input`` is the same, by its former name.
    num_threads : int or None
        The threads torch runs one call of the scikit-learn style methods on: None (the
        default) chooses per call, one thread for small work (a few rows), torch's setting
        (``torch.set_num_threads``) for large; an int fixes it (1 on a busy shared
        machine). torch's setting is restored after each call
        (:mod:`nnconvert.network.threads`).
    runs_folded : bool
        Whether inference (gradients off) runs the body's folded form
        (:class:`~nnconvert.network.folded.FoldedForm`: scalers folded into the weights that
        read them where that is exact to rounding) instead of its layers one by one; set by
        :func:`nnconvert.convert` (``fuse=None``, the default). The layers stay what
        ``draw()``, ``explain()``, export and training read.
    """

    def __init__(
        self,
        layers: Sequence[nn.Module],
        head: Head,
        *,
        n_features_in: int,
        feature_names_in=None,
        source: str,
    ):
        super().__init__()
        self.body = nn.Sequential(*layers)
        self.head = head
        self.n_features_in_ = int(n_features_in)
        if feature_names_in is not None:
            self.feature_names_in_ = np.array(feature_names_in, dtype=object, copy=True)
        self.source = source
        first = layers[0] if len(layers) else None
        _refuse_inner_categorical(layers, source)
        self.input_schema = InputSchema(
            first.input_columns() if hasattr(first, "input_columns") else None,
            self.n_features_in_, feature_names_in, model=source,
            by_name=bool(getattr(first, "selects_columns_by_name", False)),
            one_dimensional=bool(getattr(first, "reads_one_dimensional_input", False)))
        self.origin: tuple[type, dict] | None = None
        #: where the estimator answers ``apply`` / ``decision_path`` (a tree or a forest):
        #: which layer walks the trees and how scikit-learn shapes the answers
        self.tree_paths = None  # see TreeMethods
        self.input_stage: InputStage | None = None
        self._folded = FoldedForm()

    #: see the class's Attributes; :func:`nnconvert.convert` sets it per network
    runs_folded: bool = False
    num_threads: int | None = None

    @property
    def text_input(self) -> InputStage | None:
        """The input stage, by its former name (a text vectorizer is the one there is)."""
        return self.input_stage

    # -- torch side -------------------------------------------------------------------------
    @property
    def dtype(self) -> torch.dtype:
        """The floating dtype of the network's parameters and buffers."""
        for tensor in list(self.parameters()) + list(self.buffers()):
            if tensor.is_floating_point():
                return tensor.dtype
        return torch.float64

    @property
    def device(self) -> torch.device:
        for tensor in list(self.parameters()) + list(self.buffers()):
            return tensor.device
        return torch.device("cpu")

    @property
    def methods(self) -> tuple[str, ...]:
        """The scikit-learn methods this network answers (its estimator's)."""
        return self.head.methods

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        """The body's output for a tensor ``x`` (the input of the head)."""
        return self._run_body(x)

    def _run_body(self, x: torch.Tensor) -> torch.Tensor:
        """The body on ``x``: its folded form for inference where :attr:`runs_folded`
        (the same function to rounding), its layers themselves where gradients flow."""
        if self.runs_folded and not torch.is_grad_enabled():
            folded = self._folded.layers(self.body)
            if folded is not None:
                return folded(x)
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The raw output for a 2-D tensor of features.

        The tensor holds numbers only: column ``j`` is what ``input_schema.describe()`` says,
        a float for a numeric column, the index of the value in the fitted categories for a
        categorical one. The scikit-learn methods map raw data (strings, categories) onto it.

        A classifier's decision scores (its probabilities where it has no decision
        function), a regressor's predictions, a transformer's output. A floating tensor of
        another dtype is cast to the network's; anything that is not a 2-D floating tensor
        of ``n_features_in_`` columns is refused with a clear error.
        """
        return self.head(self._run_body(self.checked_tensor(x)))

    def output_tensors(self, x: torch.Tensor, methods: Sequence[str]) -> dict:
        """Several answers from one pass through the body, as tensors on the network's device.

        ``x`` is a tensor as :meth:`forward` takes it. A classifier's ``"predict"`` is the
        index into ``classes_`` (int64). Gradients flow where autograd is enabled.

        Raises
        ------
        AttributeError
            If a method is not one of :attr:`methods`.
        """
        return self._answers(self._run_body(self.checked_tensor(x)), self._known(methods))

    def _known(self, methods: Sequence[str]) -> Sequence[str]:
        missing = [m for m in methods if m not in self.methods]
        if missing:
            raise AttributeError(
                f"{self.source} has no {', '.join(missing)}; its network answers "
                f"{', '.join(self.methods)}"
            )
        return methods

    def _answers(self, z: torch.Tensor, methods: Sequence[str]) -> dict:
        return {method: self.head.answer(z, method) for method in methods}

    def checked_tensor(self, x) -> torch.Tensor:
        """``x`` as the body reads it: a 2-D floating tensor of the network's dtype."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"forward() takes a torch.Tensor, got {type(x).__name__}; use the "
                f"scikit-learn methods ({', '.join(self.methods)}) for arrays and dataframes."
            )
        if x.ndim != 2 or x.shape[1] != self.n_features_in_:
            raise ValueError(
                f"expected a 2-D tensor with {self.n_features_in_} features per row, "
                f"got shape {tuple(x.shape)}"
            )
        if not x.is_floating_point():
            raise TypeError(f"expected a floating-point tensor, got {x.dtype}; cast it first")
        self._check_precision()
        return x.to(self.dtype) if x.dtype != self.dtype else x

    def _check_precision(self) -> None:
        """Refuse a network cast to half precision (``net.half()``) with a clear message."""
        low = {t.dtype for t in [*self.parameters(), *self.buffers()]
               if t.is_floating_point() and t.dtype not in (torch.float64, torch.float32)}
        if low:
            raise TypeError(
                f"this network was cast to {', '.join(sorted(map(str, low)))}; nnconvert's "
                "layers compute in float64 (exact) or float32: call net.double() or net.float()"
            )

    # -- scikit-learn side ------------------------------------------------------------------
    def vectorize(self, documents) -> scipy.sparse.csr_matrix:
        """The matrix :meth:`forward` reads (sparse), for ``documents``, from the fitted
        vectorizer the network holds (:attr:`input_stage`).

        Parameters
        ----------
        documents : sequence of str
            A list, tuple, 1-D array or pandas Series of strings.

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_documents, ``n_features_in_``)

        Raises
        ------
        ValueError
            If the network has no vectorizer, or ``documents`` is not a sequence of strings.
        """
        if self.input_stage is None:
            raise ValueError(
                f"{self.source} has no text vectorizer: vectorize() is for networks converted "
                "from a pipeline that starts with CountVectorizer, TfidfVectorizer or "
                "HashingVectorizer.")
        return self.input_stage.transform(documents, self.source)

    def _documents_as_matrix(self, X):
        """``X`` itself, or the vectorised matrix where ``X`` is documents and the network
        has a vectorizer; documents given to a network without one are refused."""
        if self.input_stage is None:
            if looks_like_documents(X):
                raise documents_refused(X, self.source)
            return X
        if scipy.sparse.issparse(X) or isinstance(X, torch.Tensor) or (
                isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "biuf"):
            return X  # already the matrix the first layer reads
        return self.input_stage.transform(X, self.source)

    def as_tensor(self, X) -> torch.Tensor:
        """``X`` (numpy, pandas, list, torch or scipy.sparse) checked as scikit-learn would and
        mapped through :attr:`input_schema`, as the tensor the body reads, on the network's
        device. Sparse input becomes a sparse CSR tensor where the first layer multiplies one
        (a linear layer); for other networks it is densified, so pass a bounded block of
        rows (:meth:`outputs` does). Documents (strings) go through :meth:`vectorize` first
        where the network has a vectorizer."""
        self._check_precision()
        X = self.input_schema.encode(self._documents_as_matrix(X), self.dtype)
        if scipy.sparse.issparse(X):
            if self.reads_sparse():
                return _sparse_tensor(X, self.device)
            X = X.toarray()  # the caller passed a bounded block of rows (outputs() does)
        with warnings.catch_warnings():
            # a read-only array (from a dataframe, a memory map) is only ever read here
            warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
            return torch.as_tensor(X, device=self.device)

    def _encoded_tensor(self, X: np.ndarray) -> torch.Tensor:
        """A dense block of already encoded rows as the body's tensor."""
        return torch.as_tensor(X, device=self.device)

    def reads_sparse(self) -> bool:
        """Whether the body takes a sparse tensor as it is: its first layer multiplies one,
        or the leading layers keep rows sparse (tf-idf weighting, a row normalisation) up to
        a layer that multiplies them."""
        for layer in self.body:
            if getattr(layer, "reads_sparse", False):
                return True
            if not getattr(layer, "keeps_sparse", False):
                return False
        return False

    def outputs(self, X, methods: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        """Several of the estimator's answers on ``X`` from one pass through the body.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            numpy array, list, pandas dataframe, torch tensor or scipy.sparse matrix. A
            sparse matrix is never densified whole: a first linear layer multiplies it as it
            is, other networks read it in dense blocks of at most :data:`SPARSE_BLOCK_BYTES`
            (and :data:`SPARSE_BLOCK_ROWS` rows), so memory stays bounded whatever its width.
            A network with a text vectorizer (:attr:`input_stage`) takes documents too: a list, array
            or Series of strings, vectorised first.
        methods : sequence of str, optional
            Among :attr:`methods`; default: all of them.

        Returns
        -------
        dict
            Method name to numpy array, as the estimator's method of that name returns it.
        """
        methods = tuple(self.methods if methods is None else methods)
        # a plain float array or tensor, checked in O(1) Python, for the head's answers (a
        # kind's own, such as a regressor's std, take its full path)
        deferred = self._finiteness_from_output(X)
        x = (lean_tensor(self, X, check_finite=not deferred)
             if set(methods) <= set(self.head.methods) else None)
        if x is not None:
            answers = self._outputs_of(x, methods, finite_unchecked=deferred)
            if answers is not None:
                return answers  # else some value is not finite: the full path decides
        X = self._documents_as_matrix(X)
        if scipy.sparse.issparse(X) and not self.reads_sparse():
            X = self.input_schema.encode(X, self.dtype)  # checked once, then read in blocks
            blocks = [self._outputs_dense(block, methods, encoded=True)
                      for block in sparse_blocks(X, X.dtype)]
            return {m: np.concatenate([b[m] for b in blocks]) for m in methods}
        return self._outputs_dense(X, methods)

    def _outputs_dense(self, X, methods: tuple, encoded: bool = False
                       ) -> dict[str, np.ndarray]:
        """``outputs`` of dense ``X``; ``encoded``: a block the schema already mapped (the
        rows of an encoded sparse matrix), which it need not read column by column again."""
        x = self._encoded_tensor(X) if encoded else self.as_tensor(X)
        return self._outputs_of(self.checked_tensor(x), methods)

    #: the fewest rows for which a linear network proves its input finite from its output
    #: (see :meth:`_finiteness_from_output`); fewer cost a sum of microseconds anyway
    FINITE_FROM_OUTPUT_ROWS = 4096

    def _finiteness_from_output(self, X) -> bool:
        """Whether the finiteness of ``X`` (a large batch) is read from the body's output
        instead of a pass over ``X``: where the form that runs is one layer of linear units
        reading every input (no all-zero column of weights, which a BLAS may skip) with
        fewer outputs than inputs, a NaN or ±inf anywhere in a row makes that row's output
        non-finite, so one check of the narrower output answers for the input."""
        if (not isinstance(X, (np.ndarray, torch.Tensor)) or X.ndim != 2
                or X.shape[0] < self.FINITE_FROM_OUTPUT_ROWS):
            return False
        layers = self._folded.layers(self.body) if self.runs_folded else None
        layers = self.body if layers is None else layers
        if len(layers) != 1 or type(layers[0]) is not LinearUnits:
            return False
        weight = layers[0].weight
        return weight.shape[0] < weight.shape[1] and bool((weight != 0).any(dim=0).all())

    def _outputs_of(self, x: torch.Tensor, methods: tuple, finite_unchecked: bool = False
                    ) -> dict[str, np.ndarray] | None:
        """The answers for ``x``, the tensor the body reads (checked); with
        ``finite_unchecked`` (see :meth:`_finiteness_from_output`), None where the body's
        output shows a value that is not finite."""
        with torch.no_grad(), threads_for(x.shape[0] * self._work_per_row(),
                                          self.num_threads):
            z = self._run_body(x)
            if finite_unchecked and not bool(torch.isfinite(z.sum())):
                return None  # a sum overflowing on finite input costs only the full path
            self.head.check_output(z)  # scikit-learn's refusals and warnings, on its side
            answers = self._answers(z, self._known(methods))
        return {m: self._to_numpy(m, t) for m, t in answers.items()}

    def _work_per_row(self) -> int:
        """:func:`~nnconvert.network.threads.work_per_row` of the body, counted once per
        set of layers."""
        key = tuple(map(id, self.body))
        cached = self.__dict__.get("_work_cache")
        if cached is None or cached[0] != key:
            cached = self.__dict__["_work_cache"] = (key, work_per_row(self.body))
        return cached[1]

    def _to_numpy(self, method: str, answer: torch.Tensor) -> np.ndarray:
        return answer.cpu().numpy()

    def _answer(self, X, method: str) -> np.ndarray:
        return self.outputs(X, (method,))[method]

    # -- description ------------------------------------------------------------------------
    def describe(self, *, labels=None) -> list[LayerDescription]:
        """The descriptions of every layer, the head last, its units named after the outputs.

        Parameters
        ----------
        labels : sequence of str, optional
            Names for what the network answers, instead of its own (a classifier's classes,
            a regressor's targets, a transformer's output features).
        """
        head = self.head.describe()
        names = self._output_names(head.n_out, labels)
        if names is not None and (head.unit_names is None or labels is not None):
            head = dataclasses.replace(head, unit_names=tuple(str(n) for n in names))
        return [layer.describe() for layer in self.body] + [head]

    def _output_names(self, n_out: int, labels=None) -> list[str] | None:
        """The names of the head's ``n_out`` units, from ``labels`` or the network's own."""
        if labels is not None and len(labels) != n_out:
            raise ValueError(
                f"{len(labels)} output names were given but {self.source} has {n_out} outputs"
            )
        return None if labels is None else list(labels)

    #: how ``explain()`` writes the body's output (which the head reads); each kind names it
    #: for what it is: a classifier's scores, a regressor's prediction, a transformer's output
    output_symbol = "z"

    def _title(self) -> str:
        return f"{self.source} as a network:"

    def explain(self) -> str:
        """The equivalence as formulas, layer by layer.

        Returns
        -------
        str
            A title naming the estimator, then one line (or a few) per layer with its
            equation, widths and activation, ending with how the answers are made.
        """
        descriptions = self.describe()
        body, head = descriptions[:-1], descriptions[-1]
        names = ["x"] + [f"h{i}" for i in range(1, len(body))] + [self.output_symbol]
        lines = [self._title()]
        columns = self.input_schema.columns
        if self.input_stage is not None:
            lines.append(f"  {self.input_stage.describe()}")
        if any(spec.kind != "numeric" for spec in columns):
            # the tensor forward() reads holds codes, not the raw values: say which is which
            lines.append("  x, the input tensor (the scikit-learn methods map raw values onto it):")
            lines += [f"    {line}" for line in self.input_schema.describe()]
        elif any(spec.allow_nan for spec in columns):
            where = ("every column" if all(spec.allow_nan for spec in columns) else
                     "columns " + ", ".join(str(j) for j, spec in enumerate(columns)
                                            if spec.allow_nan))
            lines.append(f"  x may hold NaN (missing values) in {where}")
        for i, d in enumerate(body):
            equation = d.formula.format(x=names[i], y=names[i + 1])
            lines.append(f"  {equation}")
            lines.append(f"      ({_layer_detail(d)})")
        for line in head.formula.format(x=names[len(body)]).splitlines():
            lines.append(f"  {line}")
        return "\n".join(lines)

    def extra_repr(self) -> str:
        return f"source={self.source!r}, dtype={self.dtype}"


def _layer_detail(d: LayerDescription) -> str:
    """One layer's title, widths, activation and bias, as ``explain()`` writes them."""
    widths = [d.n_in]
    if d.branches is not None and len(d.branches) == 1:
        # a layer computed as one but made of steps: show every step's width (an SVM's
        # kernel units between its inputs and its pair neurons)
        widths += [step.n_out for step in d.branches[0]]
    else:
        widths.append(d.n_out)
    detail = f"{d.title}: " + " → ".join(str(w) for w in widths)
    if d.has_activation:
        detail += f", activation {d.activation}"
    if d.bias is not None and d.bias.size <= 3:
        detail += ", b = " + ", ".join(f"{b:.6g}" for b in d.bias)
    if d.bias_note:
        detail += f"; {d.bias_note}"
    return detail
