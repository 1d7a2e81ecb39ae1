"""Prism serving a spec on a free loopback port, for contract tests: the command line's own mock runner."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from payex_billing_invoice._cli_mock import MockFiles, free_port, running_prism

__all__ = ["PRISM", "ROOT", "free_port", "prism_mock"]

ROOT = Path(__file__).resolve().parent.parent
PRISM = ROOT / "node_modules" / ".bin" / "prism"


@contextlib.contextmanager
def prism_mock(spec: Path, log: Path) -> Iterator[str]:
    """Start `prism mock spec` on a free port, yield its base URL, and stop it by its PID."""
    if not PRISM.exists():
        raise RuntimeError(f"{PRISM} is missing: run `npm ci` (nox -s tests does)")
    with log.open("w+b") as output, running_prism(MockFiles(spec, PRISM), log=output) as mock:
        yield mock.url
