"""
Every diagram of the gallery
============================

``nnconvert draw --examples DIR`` writes one diagram per entry of ``nnconvert.gallery``:
small models fitted on scikit-learn's datasets with fixed seeds. The repository's
``diagrams/`` folder is that command's output, and this page draws the same entries from the
same code, so the two cannot differ.
"""

from nnconvert import gallery

for name in gallery.example_names():
    print(f"{name}: {gallery.example(name).summary}")

# %%
# Each entry, drawn (``gallery.example_diagram(name)`` is what the command saves).
diagrams = [gallery.example_diagram(name) for name in gallery.example_names()]
