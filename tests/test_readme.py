"""The README's client example runs against the local mock and prints what the README says."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from tests._prism import ROOT

pytestmark = pytest.mark.prism


def _mock_example() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Against the local mock", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README lost its mock example"
    return match.group(1)


def test_mock_example_prints_what_the_readme_promises(prism_url: str) -> None:
    code = _mock_example()
    promised = re.search(r"print\(.*\)\s+# (.+)\n", code)
    assert promised
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(code.replace("http://127.0.0.1:4010", prism_url), {})  # noqa: S102 - the README's own example
    assert output.getvalue().strip() == promised.group(1).strip()
