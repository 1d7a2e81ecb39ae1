"""Fixtures shared by the test suite: the committed spec and Prism serving it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests._prism import ROOT, prism_mock

SPEC_PATH = ROOT / "spec" / "openapi.yaml"


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    """The committed OpenAPI document."""
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return document


@pytest.fixture(scope="session")
def prism_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of Prism serving the committed spec on a free loopback port."""
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    with prism_mock(SPEC_PATH, log) as url:
        yield url
