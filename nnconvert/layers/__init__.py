"""Generic layers, each a torch module that describes itself (:class:`LayerDescription`).

A family's own special layers live in its room (``nnconvert.families``); what several
families share lives here: dense and activated units, affine maps, kernel units, and the
layers that arrange other layers.
"""

from .affine import AffineScaler
from .compose import Branches, ColumnBranches, PutColumns, SelectColumns
from .dense import (
    ACTIVATIONS,
    ActivatedUnits,
    BinarizeUnits,
    LinearUnits,
    as_buffer,
    as_numpy,
    dense_float64,
    dense_parameters,
    readout_units,
)
from .describe import Layer, LayerDescription
from .distances import (
    METRIC_FORMULAS,
    DistanceUnits,
    SquaredDistanceUnits,
    distances,
    metric_of,
)
from .kernels import (
    KERNEL_FORMULAS,
    KERNEL_TITLES,
    PAIRWISE_KERNELS,
    KernelExpansion,
    KernelUnits,
)

__all__ = [
    "BinarizeUnits",
    "DistanceUnits",
    "METRIC_FORMULAS",
    "distances",
    "SquaredDistanceUnits",
    "metric_of",
    "LayerDescription",
    "Layer",
    "LinearUnits",
    "ActivatedUnits",
    "ACTIVATIONS",
    "AffineScaler",
    "Branches",
    "ColumnBranches",
    "SelectColumns",
    "PutColumns",
    "KernelUnits",
    "KernelExpansion",
    "KERNEL_FORMULAS",
    "KERNEL_TITLES",
    "PAIRWISE_KERNELS",
    "as_buffer",
    "as_numpy",
    "dense_float64",
    "dense_parameters",
    "readout_units",
]
