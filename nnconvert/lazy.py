"""Names a package offers but imports only when first used (PEP 562).

``import nnconvert`` and ``nnconvert --help`` must not pay for torch and scikit-learn: the
package and its ``verify`` and ``export`` subpackages declare which module holds each heavy
name, and :func:`lazy_names` gives them the module ``__getattr__`` and ``__dir__`` that load it
on first access.
"""

from __future__ import annotations

import importlib
from typing import Callable, Mapping

__all__ = ["lazy_names"]


def lazy_names(package: str, homes: Mapping[str, str],
               public: list[str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package`` for names living in ``homes``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    homes : mapping of str to str
        Each lazy name and the module, relative to the package, that defines it; a name whose
        home is ``".name"`` is that submodule itself.
    public : list of str
        The package's ``__all__``, listed by ``dir()`` before they are loaded.
    """
    def __getattr__(name: str):
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        home = importlib.import_module(homes[name], package)
        value = home if homes[name] == f".{name}" else getattr(home, name)
        setattr(importlib.import_module(package), name, value)  # loaded once
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(importlib.import_module(package)), *public})

    return __getattr__, __dir__
