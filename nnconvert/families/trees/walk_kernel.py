"""The compiled walk (``walk.cpp``): the traversal's walk and the sum of the trees' leaf
values in one pass, and that sum alone for the other forms.

``setup.py`` builds ``walk.cpp`` into a shared library beside this module; it is loaded with
ctypes, which releases the GIL while it runs. Where it was not built (no C++ compiler at
install time) or cannot run (a GPU tensor, ``torch.export``, ``torch.compile``), the forms
walk and sum in torch ops instead. On the CPU every form sums the trees here, one after
another in their own order, so the forms agree to the bit. (An exported program sums with
torch ops: it finds the same leaves and agrees with the eager network to float rounding.)
"""

from __future__ import annotations

import ctypes
import weakref

import numpy as np
import torch

from ...compiled import built_beside, open_library
from .guard import buffer_version

#: nodes that stay in a core's L2 cache: beyond, a block of rows long enough to pay for
#: reading every tree once (measured on a 200-tree forest: 512 rows 1.4x faster than 64)
_CACHED_NODE_BYTES = 1 << 20
#: inputs that stay in L1: a block of rows this size, where the trees fit in L2 (measured on
#: 600 boosted trees: 16 to 64 rows fastest, 512 rows 1.2x slower)
_CACHED_INPUT_BYTES = 32 << 10

#: the kernel's kinds: (input dtype, threshold dtype) -> its code in walk.cpp
_KINDS = {(torch.float64, torch.float64): 0, (torch.float64, torch.float32): 1,
          (torch.float32, torch.float32): 2}

#: the version of walk.cpp's interface this module calls (its nnc_tree_interface)
_INTERFACE = 3

_library = None


def library() -> ctypes.CDLL | None:
    """The built kernel, or None where ``setup.py`` could not build it (or built it from
    another version of ``walk.cpp``)."""
    global _library
    if _library is None:
        path = built_beside(__file__, "_walk")
        _library = (load_library(path) if path is not None else None) or False
    return _library or None


def load_library(path) -> ctypes.CDLL | None:
    """The kernel built at ``path``, its functions typed; None where it does not load here
    or was built from another version of ``walk.cpp`` (reinstall to rebuild it). The tests
    load a sanitizer build of ``walk.cpp`` this way."""
    loaded = open_library(path, "nnc_tree_interface", _INTERFACE)
    if loaded is None:
        return None
    loaded.nnc_tree_walk.restype = ctypes.c_int
    loaded.nnc_tree_walk.argtypes = (
        [ctypes.c_int, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
         ctypes.c_int, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64]
        + [ctypes.c_void_p] * 2 + [ctypes.c_int64] + [ctypes.c_void_p] * 2
        + [ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p,
           ctypes.c_int64, ctypes.c_void_p, ctypes.c_int])
    loaded.nnc_tree_sum.restype = ctypes.c_int
    loaded.nnc_tree_sum.argtypes = (
        [ctypes.c_int, ctypes.c_void_p] + [ctypes.c_int64] * 3
        + [ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int])
    return loaded


def runs_on(x: torch.Tensor) -> bool:
    """Whether the kernel can read ``x``: a plain float tensor with its own memory on the
    CPU, outside any tracing (export and compile trace torch ops, which the kernel is not;
    ``torch.func`` transforms wrap tensors that have no memory of their own)."""
    if not (type(x) is torch.Tensor and x.device.type == "cpu"
            and x.dtype in (torch.float32, torch.float64)
            and not torch.compiler.is_compiling() and not torch.jit.is_tracing()
            and library() is not None):
        return False
    try:
        x.data_ptr()
    except RuntimeError:
        return False
    return True


def packed_nodes(feature: np.ndarray, threshold: np.ndarray, base: np.ndarray,
                 leaf_column: int = 0) -> np.ndarray:
    """The node records ``walk.cpp`` reads, ``{threshold, column, base}``, from the node
    table's columns (a column of the widened input where NaN is routed); a leaf (``base`` =
    itself − 1) reads ``leaf_column``, which must never hold NaN (a NaN would move the row
    off its leaf): column 0 of a widened input (NaN as −inf), else the column after the
    input, which the kernel holds at 0."""
    threshold = np.asarray(threshold)
    feature = np.where(base == np.arange(len(base)) - 1, leaf_column, feature)
    record = np.dtype([("threshold", threshold.dtype), ("column", np.int32),
                       ("base", np.int32)], align=True)
    nodes = np.empty(len(feature), record)
    nodes["threshold"] = threshold
    nodes["column"] = feature
    nodes["base"] = base
    return nodes


class CompiledWalk:
    """The kernel's view of one :class:`~.traversal.TreeTraversal`: its nodes packed once
    per threshold dtype.

    The records are packed again when a buffer is replaced (``to``, ``float``) or changed
    in place (``load_state_dict``, ``add_``: its version counter moves). A change that
    bypasses the counter (through ``.data`` or a numpy view) is not seen: call
    :meth:`~.traversal.TreeTraversal.refresh` after one.
    """

    def __init__(self):
        self._cache = ((), {})  # (what the records were packed from, the records)

    def forget(self) -> None:
        """Pack the records again at the next call."""
        self._cache = ((), {})

    def __getstate__(self):
        return {}  # a copy packs its own records (weak references do not pickle)

    def __setstate__(self, state):
        self.forget()

    @staticmethod
    def _source(layer) -> list[torch.Tensor]:
        # the leaf values too: a float32 network's are widened to float64 once, not per call
        buffers = [layer.feature, layer.threshold, layer.base, layer.roots, layer.own_order,
                   layer.value]
        if layer.one_column:
            buffers.append(layer.tree_column)
        if layer.has_categories:
            buffers += [layer.is_categorical, layer.category_row, layer.category_left]
        return buffers

    def _arrays(self, layer, compare_dtype):
        layer._checked.ensure(layer)  # the table is checked before it is packed
        buffers = self._source(layer)
        # the buffers themselves (held weakly), not their addresses, which a new buffer
        # may reuse; inference tensors keep no version counter (nor change outside it)
        source, packed = self._cache  # one read: another thread may replace the cache
        same = len(source) == len(buffers) and all(
            ref() is b and version == buffer_version(b)
            for (ref, version), b in zip(source, buffers))
        if not same:
            packed = {}
        if compare_dtype not in packed:
            packed = {**packed, compare_dtype: self._pack(layer, compare_dtype)}
            self._cache = ([(weakref.ref(b), buffer_version(b)) for b in buffers], packed)
        return packed[compare_dtype]

    @staticmethod
    def _pack(layer, compare_dtype):
        numpy = {torch.float32: np.float32, torch.float64: np.float64}[compare_dtype]
        own_order = layer.own_order.numpy()
        # tree j of the deepest-first order is deeper than level l while walking[l] > j
        depth = (np.asarray(layer.walking)[None, :] > np.arange(layer.n_trees)[:, None]
                 ).sum(axis=1)
        arrays = {
            "nodes": packed_nodes(layer.feature.numpy(),
                                  layer.threshold.numpy().astype(numpy),
                                  layer.base.numpy(),
                                  0 if layer.allow_nan else layer.n_features),
            "roots": np.ascontiguousarray(layer.roots.numpy()[own_order], np.int32),
            "depth": np.ascontiguousarray(depth[own_order], np.int32),
            "category_row": None, "category_left": None, "column": layer.tree_columns(),
            # the kernel sums float64 leaf values (a float64 network's own, not a copy)
            "value": layer.value.to(torch.float64).contiguous(),
        }
        if layer.has_categories:
            arrays["category_row"] = np.where(layer.is_categorical.numpy(),
                                              layer.category_row.numpy(), -1).astype(np.int32)
            arrays["category_left"] = np.ascontiguousarray(layer.category_left.numpy(),
                                                           np.uint8)
        return arrays

    @staticmethod
    def _block(arrays, x: torch.Tensor, compare_dtype, widened: bool) -> int:
        """Rows walked side by side (see the two constants)."""
        row_bytes = (x.shape[1] * (2 if widened else 1) + 1) * compare_dtype.itemsize
        if arrays["nodes"].nbytes > _CACHED_NODE_BYTES:
            rows = 512
        else:  # at least 16 rows side by side, whose independent steps overlap
            rows = max(16, _CACHED_INPUT_BYTES // row_bytes)
        # however wide the rows, a thread's copy of its block stays under 4 MiB
        return max(1, min(rows, 512, (4 << 20) // row_bytes))

    def __call__(self, layer, x: torch.Tensor) -> torch.Tensor:
        """The (rows, outputs) sums of the trees' leaf values for ``x`` (float32 or float64,
        in CPU memory), in the input's dtype: what ``layer.scaled`` takes.

        Raises
        ------
        ValueError
            If ``x`` is not (rows, the layer's n_features): the kernel reads rows of that
            width and would read past the end of a narrower one.
        """
        if x.dim() != 2 or x.shape[1] != layer.n_features:
            raise ValueError(f"the tree walk takes rows of {layer.n_features} features, "
                             f"got an input of shape {tuple(x.shape)}")
        compare = torch.float32 if layer.float32_inputs else x.dtype
        arrays = self._arrays(layer, compare)
        x = x.contiguous()
        value = arrays["value"]
        k = 1 if value.dim() == 1 else value.shape[1]
        out = torch.empty((x.shape[0], layer.n_out), dtype=x.dtype)
        categories = arrays["category_left"]
        # the sizes let the kernel keep every index inside its buffers (a second guard)
        status = library().nnc_tree_walk(
            _KINDS[x.dtype, compare], x.data_ptr(), x.shape[0], x.shape[1], layer.allow_nan,
            self._block(arrays, x, compare, layer.allow_nan), _pointer(arrays["nodes"]),
            min(len(arrays["nodes"]), len(value)), _pointer(arrays["roots"]),
            _pointer(arrays["depth"]), len(arrays["roots"]),
            _pointer(arrays["category_row"]), _pointer(categories),
            0 if categories is None else len(categories), value.data_ptr(), k,
            _pointer(arrays["column"]), layer.n_out, out.data_ptr(), torch.get_num_threads())
        _check(status, "walk")
        return out


def _pointer(array: np.ndarray | None):
    return None if array is None else array.ctypes.data


def _check(status: int, what: str) -> None:
    """Raise where the kernel returned an error code."""
    if status == -2:
        raise MemoryError(f"the compiled tree {what} ran out of memory")
    if status == -1:
        raise ValueError(f"the compiled tree {what} was given sizes that describe no table")
    if status != 0:
        raise RuntimeError(f"the compiled tree {what} failed with code {status}")


def tree_sum(leaf_values: torch.Tensor, column: np.ndarray | None, n_out: int
             ) -> torch.Tensor:
    """The (rows, n_out) sums of (rows, trees[, k]) leaf values (float32 or float64, in CPU
    memory) over the trees, one after another, as the compiled walk sums them; ``column``
    (int32, per tree) puts each tree's one value in its own column."""
    leaf_values = leaf_values.contiguous()
    rows, trees = leaf_values.shape[:2]
    k = 1 if leaf_values.dim() == 2 else leaf_values.shape[2]
    out = torch.empty((rows, n_out), dtype=leaf_values.dtype)
    status = library().nnc_tree_sum(leaf_values.dtype == torch.float32,
                                     leaf_values.data_ptr(), rows, trees, k, _pointer(column),
                                     n_out, out.data_ptr(), torch.get_num_threads())
    _check(status, "sum")
    return out
