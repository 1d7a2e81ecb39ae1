"""Generate the raw client package from an API document with the pinned generators.

    python -m pipeline.generate SPEC OUT_ROOT

Writes ``OUT_ROOT/payex_billing_invoice_openapi``: the attrs + httpx client from openapi-python-client, plus
``py.typed``, the strict pydantic layer ``strict_models.py`` and the exact msgspec layer ``exact_models.py`` (on
the base ``_exact_base.py``, copied from ``pipeline/templates``) from datamodel-code-generator. Both generators
(and ruff, their formatter) are taken from this interpreter's environment first, then from ``PATH``.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "EXACT_BASE",
    "EXACT_LAYER_OPTIONS",
    "EXACT_MODULE",
    "GENERATED_PACKAGE",
    "STRICT_LAYER_OPTIONS",
    "STRICT_MODULE",
    "GenerationError",
    "generate",
    "main",
]

CONFIG = Path(__file__).resolve().parent / "openapi-python-client.yaml"
GENERATED_PACKAGE = "payex_billing_invoice_openapi"
STRICT_MODULE = "strict_models.py"
EXACT_MODULE = "exact_models.py"
EXACT_BASE = Path(__file__).resolve().parent / "templates" / "_exact_base.py"
_REASON_LIMIT = 300

# datamodel-code-generator options both layers share: exact money, snake_case attributes, reproducible output.
_DATAMODEL_COMMON = (
    "--input-file-type=openapi",
    "--target-python-version=3.11",
    "--target-pydantic-version=2.14",
    "--disable-timestamp",
    "--formatters",
    "ruff-check",
    "ruff-format",
    "--type-mappings",
    "number+double=decimal",
    "--use-standard-collections",
    "--use-union-operator",
    "--snake-case-field",
)

# The strict pydantic layer: real dates, strict scalars, unknown members kept, and an absent member MISSING rather
# than None, so that null is refused where the spec does not declare `nullable: true`.
STRICT_LAYER_OPTIONS = (
    *_DATAMODEL_COMMON,
    "--output-model-type=pydantic_v2.BaseModel",
    "--strict-types",
    "str",
    "int",
    "bool",
    "--use-annotated",
    "--field-constraints",
    "--allow-extra-fields",
    "--use-missing-sentinel",
)

# The exact layer the client decodes into: msgspec Structs, one typed pass over the body (numbers as exact
# `Decimal`, `date` dates, `UNSET` for an absent member, `None` only where the spec says nullable).
EXACT_LAYER_OPTIONS = (
    *_DATAMODEL_COMMON,
    "--output-model-type=msgspec.Struct",
    "--output-datetime-class=datetime",
    "--strict-nullable",
    f"--base-class={GENERATED_PACKAGE}._exact_base.ExactStruct",
)


class GenerationError(Exception):
    """A generator failed; the message names it and gives its first line of complaint."""


def generate(spec: Path, out_root: Path) -> Path:
    """Run both pinned generators on ``spec``, writing the package below ``out_root``; return the package folder."""
    package = out_root / GENERATED_PACKAGE
    environment = _environment()
    _run(
        [
            _tool("openapi-python-client"),
            "generate",
            f"--path={spec}",
            f"--config={CONFIG}",
            "--meta=none",
            "--fail-on-warning",
            "--overwrite",
            f"--output-path={package}",
        ],
        environment,
    )
    (package / "py.typed").write_text("")
    _run(
        [_tool("datamodel-codegen"), f"--input={spec}", f"--output={package / STRICT_MODULE}", *STRICT_LAYER_OPTIONS],
        environment,
    )
    shutil.copyfile(EXACT_BASE, package / EXACT_BASE.name)
    _run(
        [_tool("datamodel-codegen"), f"--input={spec}", f"--output={package / EXACT_MODULE}", *EXACT_LAYER_OPTIONS],
        environment,
    )
    _default_nullable_members_to_unset(package / EXACT_MODULE)
    _run([_tool("ruff"), "format", "--isolated", "--quiet", str(package / EXACT_MODULE)], environment)
    return package


def _default_nullable_members_to_unset(module: Path) -> None:
    """Default every nullable member of the exact layer to `UNSET`, as every other member is.

    datamodel-code-generator's msgspec output defaults a member whose type admits None to None, so a member the
    response left out could not be told from one it sent as null (and `to_builtins()` would add it).
    """
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and _admits_none(node.annotation) and _defaults_to_none(node.value):
            node.annotation = ast.BinOp(node.annotation, ast.BitOr(), ast.Name("UnsetType"))
            if isinstance(node.value, ast.Call):
                for keyword in node.value.keywords:
                    if keyword.arg == "default":
                        keyword.value = ast.Name("UNSET")
            else:
                node.value = ast.Name("UNSET")
    names = {"UNSET", "UnsetType"}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "msgspec":
            names -= {alias.name for alias in node.names}
    if names:
        tree.body.insert(1, ast.ImportFrom("msgspec", [ast.alias(name) for name in sorted(names)], 0))
    header = "# generated by datamodel-codegen; nullable members default to UNSET (pipeline/generate.py)\n\n"
    module.write_text(header + ast.unparse(tree) + "\n", encoding="utf-8")


def _admits_none(annotation: ast.expr) -> bool:
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _admits_none(annotation.left) or _admits_none(annotation.right)
    return isinstance(annotation, ast.Constant) and annotation.value is None


def _defaults_to_none(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Constant):
        return value.value is None
    return isinstance(value, ast.Call) and any(
        keyword.arg == "default" and isinstance(keyword.value, ast.Constant) and keyword.value.value is None
        for keyword in value.keywords
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m pipeline.generate SPEC OUT_ROOT", file=sys.stderr)
        return 2
    try:
        generate(Path(args[0]), Path(args[1]))
    except GenerationError as exc:
        print(f"generate: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _environment() -> dict[str, str]:
    """This environment with the interpreter's script folder first on PATH, where the generators find ruff."""
    scripts = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")])}


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise GenerationError(f"{name} is not installed (pip install openapi-python-client datamodel-code-generator)")
    return found


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    except OSError as exc:
        raise GenerationError(f"cannot run {Path(command[0]).name}: {exc.strerror or exc}") from None
    if result.returncode != 0:
        reason = _reason(result.stderr + "\n" + result.stdout) or f"exit status {result.returncode}"
        raise GenerationError(f"{Path(command[0]).name} failed: {reason}")


def _reason(output: str) -> str:
    """The generator's first warning or error with the line after it, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if line.startswith(("WARNING", "ERROR")):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            text = f"{line} {following}" if not following.startswith(("{", "[")) else line
            return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 3] + "..."
    return lines[-1][:_REASON_LIMIT] if lines else ""


if __name__ == "__main__":
    sys.exit(main())
