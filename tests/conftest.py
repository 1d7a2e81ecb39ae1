"""Fixtures shared by the test suite: the committed spec, Prism serving it, and a fault server with a client."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from payex_billing_invoice import BillingInvoiceClient
from tests._client_faults import FAST, LOGGERS, OWNER_NO, TOKEN
from tests._fault_server import FaultServer
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


@pytest.fixture
def server() -> Iterator[FaultServer]:
    """A fault server on 127.0.0.1, stopped after the test."""
    with FaultServer() as running:
        yield running


@pytest.fixture
def client(server: FaultServer) -> Iterator[BillingInvoiceClient]:
    """A sync client of `server` with fast retries."""
    with BillingInvoiceClient(base_url=server.url, owner_no=OWNER_NO, token=TOKEN, retry_policy=FAST) as running:
        yield running


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of the client, httpx and httpcore, from DEBUG up."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


# The files the fast loop (`scripts/test -s fast`: `-m "not slow"`) leaves out: they run the generators, the whole
# pipeline or long Hypothesis searches. CI and `scripts/test` run every test.
SLOW_FILES = frozenset(
    {"test_api_diff.py", "test_fuzz.py", "test_sample_pipeline.py", "test_fetch_spec.py", "test_schemathesis.py"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of `SLOW_FILES` as slow."""
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
