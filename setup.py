"""The one compiled part: the traversal's fused tree walk (nnconvert/families/trees/walk.cpp).

Everything else is in pyproject.toml. The walk is loaded with ctypes, not imported, and is
optional: without a C++ compiler the install goes on and trees walk in torch ops instead.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension(
    "nnconvert.families.trees._walk", ["nnconvert/families/trees/walk.cpp"],
    language="c++", extra_compile_args=["-O3", "-std=c++17", "-pthread"],
    extra_link_args=["-pthread"], optional=True)])
