"""The conversion's options: one typed, frozen value every converter receives.

:func:`nnconvert.convert` builds an :class:`Options` once from its keyword arguments, and
every converter (``(estimator, options) -> Conversion``) receives it; converting a member of
a meta-estimator, a pipeline's step or a final estimator passes it on unchanged. A misspelt
option fails for any model, before anything is converted, with the list of valid ones.

A later option is one more field here, with its default and its check in
:meth:`Options.__post_init__`; :func:`~nnconvert.convert` passes unknown keywords on to
:meth:`Options.from_keywords`, so it needs no new parameter to accept it.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass

import torch

__all__ = ["Options", "TREE_FORMS", "SUPPORTED_DTYPES"]

#: the forms a tree ensemble may take (see :mod:`nnconvert.families.trees.forms`)
TREE_FORMS = ("auto", "network", "traversal")

#: float64 reproduces scikit-learn to rounding; float32 is faster
SUPPORTED_DTYPES = (torch.float64, torch.float32)


@dataclass(frozen=True)
class Options:
    """What the caller of :func:`nnconvert.convert` asked for, handed down to every member.

    Parameters
    ----------
    dtype : torch.float64 or torch.float32, default torch.float64
        The network's floating-point type.
    fuse : bool or None, default None
        ``True``: fold affine pipeline steps into the layer that reads them (the network
        has, and draws, the folded layers). ``None``: keep one layer per step and run
        their folded form where folding is exact to rounding. ``False``: run the steps as
        they are.
    tree_form : {'auto', 'network', 'traversal'}, default 'auto'
        The form of trees and tree ensembles.

    Examples
    --------
    >>> from nnconvert.options import Options
    >>> Options(tree_form="traversal").fuse is None
    True
    >>> Options.from_keywords(tree_from="traversal")
    Traceback (most recent call last):
    ...
    TypeError: unknown option 'tree_from' (did you mean 'tree_form'?); the options are dtype, fuse, tree_form.
    """

    dtype: torch.dtype = torch.float64
    fuse: bool | None = None
    tree_form: str = "auto"

    def __post_init__(self) -> None:
        if self.dtype not in SUPPORTED_DTYPES:
            raise TypeError(
                f"dtype must be torch.float64 (exact) or torch.float32 (fast), got "
                f"{self.dtype!r}.")
        if self.fuse is not None:
            if isinstance(self.fuse, str):  # "False" would be true
                raise TypeError(f"fuse must be True, False or None, got {self.fuse!r}.")
            object.__setattr__(self, "fuse", bool(self.fuse))
        if not isinstance(self.tree_form, str) or self.tree_form not in TREE_FORMS:
            raise ValueError(f"tree_form must be one of {', '.join(map(repr, TREE_FORMS))}, "
                             f"got {self.tree_form!r}")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The valid option names, in the order of the fields."""
        return tuple(field.name for field in dataclasses.fields(cls))

    @classmethod
    def from_keywords(cls, **keywords) -> Options:
        """The options from keyword arguments, refusing a name that is not an option.

        Raises
        ------
        TypeError
            If a keyword is not an option (the message suggests the nearest name and lists
            them all), or if ``dtype`` or ``fuse`` has a wrong type.
        ValueError
            If ``tree_form`` is not one of :data:`TREE_FORMS`.
        """
        names = cls.names()
        for key in keywords:
            if key not in names:
                close = difflib.get_close_matches(key, names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise TypeError(f"unknown option {key!r}{hint}; the options are "
                                f"{', '.join(names)}.")
        return cls(**keywords)
