"""The reference site covers the public API, and the commands the README and CONTRIBUTING show exist as written."""

from __future__ import annotations

import ast
import importlib
import re
import shlex
import subprocess
import sys

import pytest

import payex_billing_invoice
from payex_billing_invoice.testing import FakePayEx
from tests._prism import ROOT

DOCS = ROOT / "docs"
PUBLIC_MODULES = ("models", "exact", "routes", "config", "problems")
DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)
ANCHOR = re.compile(r"\{ #([\w.]+) \}")


def _documented() -> set[str]:
    """Every object the site renders (a mkdocstrings `:::` directive) or anchors by hand (`{ #path }`)."""
    pages = "\n".join(page.read_text() for page in DOCS.rglob("*.md"))
    return set(DIRECTIVE.findall(pages)) | set(ANCHOR.findall(pages))


def _resolve(path: str) -> object:
    module, _, name = path.rpartition(".")
    try:
        return importlib.import_module(path)
    except ImportError:
        return getattr(importlib.import_module(module), name)


def test_every_public_name_has_its_place_on_the_site() -> None:
    documented = _documented()
    missing = [name for name in payex_billing_invoice.__all__ if f"payex_billing_invoice.{name}" not in documented]
    assert not missing, f"add a `::: payex_billing_invoice.NAME` to a page of docs/ for: {', '.join(missing)}"
    modules = [name for name in PUBLIC_MODULES if f"payex_billing_invoice.{name}" not in documented]
    assert not modules, f"document the public modules {modules}"


def test_every_directive_names_an_object() -> None:
    for path in DIRECTIVE.findall("\n".join(page.read_text() for page in DOCS.rglob("*.md"))):
        assert _resolve(path) is not None, path


def test_the_testing_page_examples_run() -> None:
    page = (DOCS / "testing.md").read_text()
    readme = (ROOT / "README.md").read_text()
    snippet = readme.split("<!-- --8<-- [start:testing] -->")[1].split("<!-- --8<-- [end:testing] -->")[0]
    page = page.replace('--8<-- "README.md:testing"', snippet)
    examples = re.findall(r"```python\n(.*?)```", page, re.DOTALL)
    assert len(examples) >= 2
    for example in examples:
        names: dict[str, object] = {}
        exec(compile(example, "docs/testing.md", "exec"), names)  # noqa: S102 - the page's own examples
        for name, test in names.items():
            if name.startswith("test_") and callable(test):
                test(FakePayEx())


def _sessions() -> set[str]:
    """The nox sessions the noxfile defines (functions decorated with `@nox.session`)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text())
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any("nox.session" in ast.unparse(d) for d in node.decorator_list)
    }


def _commands() -> list[list[str]]:
    """The project commands in the README's and CONTRIBUTING's shell blocks and inline code."""
    text = "\n".join((ROOT / name).read_text() for name in ("README.md", "CONTRIBUTING.md"))
    lines = [line for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL) for line in block.splitlines()]
    lines += re.findall(r"`((?:scripts/|\.tools/bin/nox|nox )[^`]*)`", text)
    commands = [shlex.split(line.split(" #", 1)[0]) for line in lines if line.strip()]
    return [words for words in commands if words and words[0] not in {"pip", "git", "$"}]


def test_documented_commands_exist_as_written() -> None:
    sessions = _sessions()
    for words in _commands():
        program = words[0]
        assert program != "nox", f"`{shlex.join(words)}`: nox is .tools/bin/nox (or use scripts/test)"
        if program.startswith(("scripts/", ".tools/")):
            assert (ROOT / program).exists() or program.startswith(".tools/"), shlex.join(words)
        if "-s" in words and program in {"scripts/test", ".tools/bin/nox"}:
            named = words[words.index("-s") + 1]
            assert named in sessions, f"`{shlex.join(words)}`: no nox session {named!r}"


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-c", "import payex_billing_invoice as p; print(p.__version__)"],
        [sys.executable, "-m", "payex_billing_invoice", "--version"],
    ],
    ids=["version", "cli-version"],
)
def test_safe_documented_commands_run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert payex_billing_invoice.__version__ in result.stdout
