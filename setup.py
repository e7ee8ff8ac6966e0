"""The compiled parts: the traversal's fused tree walk (nnconvert/families/trees/walk.cpp) and
the distance layers' k-smallest search (nnconvert/layers/nearest.cpp).

Everything else is in pyproject.toml. Both are loaded with ctypes, not imported, and are
optional: without a C++ compiler the install goes on and the layers run in torch ops instead.
"""

from setuptools import Extension, setup


def _optional(name: str, source: str, *flags: str) -> Extension:
    return Extension(name, [source], language="c++",
                     extra_compile_args=["-O3", "-std=c++17", "-pthread", *flags],
                     extra_link_args=["-pthread"], optional=True)


setup(ext_modules=[
    _optional("nnconvert.families.trees._walk", "nnconvert/families/trees/walk.cpp"),
    # fused multiply-adds in the dot products (ISO C++ mode leaves them off); the search's
    # error bound holds for any rounding of them (the exact re-rank turns them off for its
    # own functions: its bits must be torch's)
    _optional("nnconvert.layers._nearest", "nnconvert/layers/nearest.cpp",
              "-ffp-contract=fast"),
])
