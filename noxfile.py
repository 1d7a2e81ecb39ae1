"""The spec pipeline and the project's checks.

`nox -s regenerate` is the main job: fetch the API document (or use the committed snapshot), regenerate the
raw client, and check everything. `nox` alone runs the checks CI runs: lint, typecheck, drift, tests and docs.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import tempfile
import tomllib
from pathlib import Path

import nox

ROOT = Path(__file__).parent
SPEC = ROOT / "spec" / "openapi.yaml"
UPSTREAM = ROOT / "spec" / "upstream.yaml"
RECORD = ROOT / "spec" / "source.json"
GENERATED = ROOT / "generated"
GENERATED_PACKAGE = "payex_billing_invoice_openapi"
NODE_BIN = ROOT / "node_modules" / ".bin"
CACHE_FOLDERS = ("__pycache__", ".ruff_cache", ".mypy_cache")
_CACHES = shutil.ignore_patterns(*CACHE_FOLDERS)

OPENAPI_PYTHON_CLIENT = "openapi-python-client==0.29.1"
DATAMODEL_CODE_GENERATOR = "datamodel-code-generator[ruff]==0.89.0"
RUFF = "ruff==0.17.6"
MYPY = "mypy==2.4.1"
GRIFFE = "griffe==2.4.1"
BENCH_TOOLS = ("orjson==3.13.0", "hypercorn==0.18.0")
SPEC_TOOLS = ("httpx", "pyyaml", "openapi-spec-validator>=0.8,<0.10", "python-jsonpath==2.2.2")

os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
# Byte-compile at install: with PYTHONDONTWRITEBYTECODE set, every run of the generators and of the API diff
# otherwise compiles their imports afresh (about 3 s of a repeated API diff).
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
os.environ.setdefault("REDOCLY_TELEMETRY", "off")
os.environ.setdefault("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
os.environ.setdefault("OPTIC_TELEMETRY_LEVEL", "off")
os.environ.setdefault("NO_UPDATE_NOTIFIER", "1")
os.environ.setdefault("SCARF_ANALYTICS", "false")

nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["lint", "typecheck", "drift", "tests", "docs"]


def _node_tools(session: nox.Session) -> None:
    """Install the pinned Node tools (Prism, swagger2openapi, Redocly, optic) into ./node_modules when stale."""
    marker = ROOT / "node_modules" / ".package-lock.json"
    lock = ROOT / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    session.run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", external=True)


def _generate_into(session: nox.Session, out_root: Path) -> None:
    """Run both pinned generators on the committed spec, writing the package below `out_root`."""
    session.run("python", "-m", "pipeline.generate", str(SPEC), str(out_root), silent=True)


def _install_generators(session: nox.Session) -> None:
    session.install(OPENAPI_PYTHON_CLIENT, DATAMODEL_CODE_GENERATOR, RUFF)


def _tree_differences(expected: Path, actual: Path) -> list[str]:
    """Relative paths of the files that differ, or exist on one side only, between two trees."""
    differences: list[str] = []
    comparison = filecmp.dircmp(expected, actual, ignore=list(CACHE_FOLDERS))
    pending = [(comparison, Path())]
    while pending:
        current, prefix = pending.pop()
        differences += [str(prefix / name) for name in current.left_only + current.right_only]
        _, mismatch, errors = filecmp.cmpfiles(current.left, current.right, current.common_files, shallow=False)
        differences += [str(prefix / name) for name in mismatch + errors]
        pending += [(sub, prefix / name) for name, sub in current.subdirs.items()]
    return sorted(differences)


@nox.session
def fetch_spec(session: nox.Session) -> None:
    """Pull the API document (URL or path; default: the configured source) into spec/."""
    session.install(*SPEC_TOOLS)
    _node_tools(session)
    session.run("python", "-m", "pipeline.fetch_spec", *session.posargs)


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate generated/ from the committed spec with the pinned generators."""
    _install_generators(session)
    _regenerate_package(session)


def _regenerate_package(session: nox.Session) -> None:
    """Replace the generated package with a fresh one, built in a scratch folder like `drift` builds it."""
    with tempfile.TemporaryDirectory() as scratch:
        _generate_into(session, Path(scratch))
        shutil.rmtree(GENERATED / GENERATED_PACKAGE, ignore_errors=True)
        shutil.copytree(Path(scratch) / GENERATED_PACKAGE, GENERATED / GENERATED_PACKAGE, ignore=_CACHES)
    session.run("python", "-m", "pipeline.package_spec")  # the copy of the spec the package ships


@nox.session
def drift(session: nox.Session) -> None:
    """Fail, naming the files, if spec/openapi.yaml is not upstream + overlay, or generated/ is not what the
    pinned generators make of it."""
    session.install(*SPEC_TOOLS)
    _install_generators(session)
    session.run("python", "-m", "pipeline.fetch_spec", "--check")
    session.run("python", "-m", "pipeline.package_spec", "--check")
    with tempfile.TemporaryDirectory() as scratch:
        _generate_into(session, Path(scratch))
        differences = _tree_differences(Path(scratch), GENERATED)
    if differences:
        session.error(
            "generated/ differs from what the pinned generators make of spec/openapi.yaml "
            f"(run `nox -s generate`): {', '.join(differences)}"
        )
    session.log("generated/ matches spec/openapi.yaml")


@nox.session
def regenerate(session: nox.Session) -> None:
    """The "spec changed" pipeline: fetch (argument, else configured source, else the committed upstream
    document) -> upstream + overlay -> generate -> check.

    When the effective document changes, the API diff of the committed documents (HEAD) against the new ones is
    printed first (in full in reports/api-diff.md); it warns, the checks that follow decide.
    """
    session.install("-e", ".", *SPEC_TOOLS, GRIFFE)
    _install_generators(session)
    _node_tools(session)
    before = SPEC.read_bytes()
    source = session.posargs[0] if session.posargs else _configured_source()
    if source:
        session.run("python", "-m", "pipeline.fetch_spec", source, *session.posargs[1:])
    else:
        reconstruction = json.loads(RECORD.read_text()).get("origin") == "reconstruction"
        session.log("no spec source given or configured: applying the overlay to the committed upstream document")
        flags = ["--reconstruction"] if reconstruction else []
        session.run("python", "-m", "pipeline.fetch_spec", str(UPSTREAM.relative_to(ROOT)), *flags)
    if SPEC.read_bytes() != before:
        upstream = str(UPSTREAM.relative_to(ROOT))
        session.run("python", "-m", "pipeline.api_diff", "HEAD", upstream, "--warn-only", "--summary")
    _regenerate_package(session)
    for checks in ("lint", "typecheck", "tests"):
        session.notify(checks, posargs=[])  # the source argument is not theirs


@nox.session
def api_diff(session: nox.Session) -> None:
    """What a new API document breaks, in the spec, the regenerated Python API and the overlay.

    `nox -s api_diff -- [OLD] [NEW] [--warn-only]`: upstream documents (files, URLs) or git refs, each with the
    overlay applied; default HEAD against spec/upstream.yaml;
    writes reports/api-diff.md and reports/api-diff.json, fails when something breaks.
    """
    session.install("-e", ".", *SPEC_TOOLS, GRIFFE)
    _install_generators(session)
    _node_tools(session)
    session.run("python", "-m", "pipeline.api_diff", *session.posargs)


def _configured_source() -> str:
    """The spec source from PAYEX_SPEC_SOURCE, else `[tool.payex-spec] source` in pyproject.toml."""
    configured = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["payex-spec"]["source"]
    return os.environ.get("PAYEX_SPEC_SOURCE") or str(configured)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on everything outside generated/, and Redocly on the spec."""
    session.install(RUFF)
    _node_tools(session)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run(str(NODE_BIN / "redocly"), "lint", "--format=stylish", str(SPEC), external=True, silent=True)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the overlay, the pipeline, the tests and the generated package."""
    session.install("-e", ".[dev,aiohttp,http2]", MYPY, "nox", *BENCH_TOOLS)
    session.run("mypy", "overlay", "pipeline", "tests", "bench", "noxfile.py")
    session.run("mypy", "-p", GENERATED_PACKAGE)


@nox.session
def tests(session: nox.Session) -> None:
    """pytest, with Prism and optic from ./node_modules and the generators for the API diff tests."""
    _run_tests(session)


def _run_tests(session: nox.Session, *pytest_args: str) -> None:
    session.install("-e", ".[dev]")
    _install_generators(session)
    _node_tools(session)
    session.run("pytest", *pytest_args, *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Side-by-side benchmarks, not part of the checks: `nox -s bench -- [--quick] [--json PATH]`."""
    session.install("-e", ".[aiohttp,http2]", *BENCH_TOOLS)
    session.run("python", "-m", "bench.run", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """The fuzz tests with the long Hypothesis profile (5,000 examples per property; about 10 minutes)."""
    session.install("-e", ".[dev]")
    session.run("pytest", "tests/test_fuzz.py", *session.posargs, env={"HYPOTHESIS_PROFILE": "fuzz"})


@nox.session
def mock(session: nox.Session) -> None:
    """Serve the committed spec with Prism on a local port, for development without PayEx credentials."""
    _node_tools(session)
    port = session.posargs[0] if session.posargs else "4010"
    session.log(f"mock server: http://127.0.0.1:{port} (Ctrl-C stops it)")
    session.run(str(NODE_BIN / "prism"), "mock", str(SPEC), "--host=127.0.0.1", f"--port={port}", external=True)


# --- Releases, the reference site, Python versions, locked tools (issue 14) -------------------------------------
# Every session installs under requirements/dev.lock (a uv constraint file: `scripts/lock` re-compiles it), and the
# pyenv interpreters (3.12, 3.13) are found without downloads. The default sessions run `tests` on the current
# interpreter only, so the local loop works where only 3.11 exists; `tests_all_pythons` runs 3.11, 3.12 and 3.13.

PYTHONS = ["3.11", "3.12", "3.13"]
LOCK = ROOT / "requirements" / "dev.lock"
DOCS_TOOLS = ("mkdocs==1.6.1", "mkdocs-material==9.8.1", "mkdocstrings==1.0.8", "mkdocstrings-python==2.0.11")
RELEASE_TOOLS = ("build==1.6.1", "twine==7.0.0")
SLOW_TESTS_OFF = ("-m", "not slow", "-n", "auto")

os.environ.setdefault("UV_CONSTRAINT", str(LOCK))


def _pyenv_interpreters() -> list[str]:
    """The bin folders of pyenv's 3.11, 3.12 and 3.13 installs (`PYENV_ROOT`, else ~/.pyenv), newest patch first."""
    versions = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    installs = [path for version in PYTHONS for path in versions.glob(f"{version}.*/bin")]
    patch = {path: int(path.parent.name.split(".")[2]) if path.parent.name.count(".") == 2 else -1 for path in installs}
    return [str(path) for path in sorted(installs, key=lambda path: -patch[path])]


os.environ["PATH"] = os.pathsep.join([os.environ.get("PATH", ""), *_pyenv_interpreters()])


@nox.session(python=PYTHONS)
def tests_all_pythons(session: nox.Session) -> None:
    """The whole suite on Python 3.11, 3.12 and 3.13 (`-s tests_all_pythons-3.13` for one): what CI runs."""
    _run_tests(session)


@nox.session
def fast(session: nox.Session) -> None:
    """The fast loop: the suite without the tests marked slow, on both cores (pytest-xdist); CI runs everything."""
    _run_tests(session, *SLOW_TESTS_OFF)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the reference site into site/ with warnings as errors (`-- serve` serves it on 127.0.0.1:8000)."""
    session.install(*DOCS_TOOLS, RUFF)  # ruff formats the signatures
    command = session.posargs or ["build", "--strict"]
    session.run("mkdocs", *command, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def build(session: nox.Session) -> None:
    """Build the sdist and the wheel into dist/ and check them (`twine check --strict`): the release artifacts."""
    session.install(*RELEASE_TOOLS)
    shutil.rmtree(ROOT / "dist", ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", "dist", ".")
    session.run("twine", "check", "--strict", *map(str, sorted((ROOT / "dist").iterdir())))
