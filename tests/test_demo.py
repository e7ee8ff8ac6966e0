"""The demo the README's first command runs: every story converts, verifies and draws."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from nnconvert.demo import demo_models, run_demo


def test_demo_verifies_explains_and_draws_every_story(tmp_path):
    out = io.StringIO()
    assert run_demo(out=out, diagrams=tmp_path)
    text = out.getvalue()
    names = [name for name, *_ in demo_models()]
    assert text.count("PASSED") == len(names) and "DISAGREE" not in text
    assert "b = −w0" in text and "exp(−γ‖x − sv_j‖²)" in text and "softmax" in text
    for name in names:
        root = ET.parse(tmp_path / f"{name}.svg").getroot()
        assert root.tag.endswith("svg")
