"""The token stays secret: refused at construction when it cannot travel as it is, and scrubbed, as configured,
from everything the client keeps of what the server sends, whatever shape the echo takes."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

import pytest

from payex_billing_invoice import (
    ApiConnectionError,
    AuthenticationError,
    BillingInvoiceClient,
    ClientConfigurationError,
    ResponseValidationError,
)
from tests._client_faults import FAST, INVOICE_NO, OWNER_NO, assert_hidden, assert_logs_hide
from tests._fault_server import FaultServer, ResetMidBody, Respond

OPAQUE = "tok_9f8e7d6c"
"""An opaque token of no recognizable shape (not Bearer-looking, not a JWT), short enough to slip past heuristics."""
LOGGER = logging.getLogger("tests.caller")


def _client(server: FaultServer, token: str = OPAQUE) -> BillingInvoiceClient:
    return BillingInvoiceClient(base_url=server.url, owner_no=OWNER_NO, token=token, retry_policy=FAST)


@pytest.mark.parametrize(
    ("token", "flaw"),
    [
        pytest.param(f"{OPAQUE}\n", "ends with a space or line break", id="trailing-newline"),
        pytest.param(f"{OPAQUE} ", "ends with a space or line break", id="trailing-space"),
        pytest.param(f"{OPAQUE}\x00", "control character", id="nul"),
        pytest.param(f"{OPAQUE}\r\nX-Injected: 1", "holds a space or line break", id="crlf"),
        pytest.param(f"{OPAQUE}\ud800", "not ASCII", id="lone-surrogate"),
        pytest.param(f"{OPAQUE}é", "not ASCII", id="non-ascii"),
        pytest.param("…", "a placeholder such as", id="placeholder"),
        pytest.param(f"Bearer {OPAQUE}", "starts with 'Bearer '", id="with-scheme"),
    ],
)
def test_a_token_that_cannot_travel_as_it_is_is_refused_at_construction(
    server: FaultServer, token: str, flaw: str
) -> None:
    with pytest.raises(ClientConfigurationError, match=re.escape(flaw)) as caught:
        _client(server, token)
    assert_hidden(OPAQUE, caught.value)
    assert caught.value.__cause__ is None
    assert server.connections == 0


def test_a_token_from_the_environment_is_checked_too(server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYEX_BILLING_TOKEN", f"{OPAQUE}\n")
    with pytest.raises(ClientConfigurationError) as caught:
        BillingInvoiceClient(base_url=server.url, owner_no=OWNER_NO)
    assert_hidden(OPAQUE, caught.value)


def _echoing_problem(status: int) -> Respond:
    problem = {
        "type": "billing/invoice/problems/token-expired",
        "title": f"Token {OPAQUE} rejected",
        "status": status,
        "detail": f"token {OPAQUE} has expired",
        "instance": OPAQUE,
        "problems": [{f"header.{OPAQUE}": f"value {quote(OPAQUE)} is not valid"}],
        "echo": {"nested": [f"Authorization: Bearer {OPAQUE}", "\\u0074" + OPAQUE[1:]]},
    }
    headers = (("WWW-Authenticate", f'Bearer error="invalid_token", token="{OPAQUE}"'),)
    return Respond.json(problem, status, content_type="application/problem+json", headers=headers)


def test_a_token_echoed_anywhere_in_a_problem_is_scrubbed(
    server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.script(_echoing_problem(401))
    with _client(server) as client, pytest.raises(AuthenticationError) as caught:
        client.get_invoice(INVOICE_NO)
    error = caught.value
    assert "[redacted]" in str(error)
    assert error.problem is not None
    assert OPAQUE not in (error.problem.detail or "")
    assert OPAQUE not in error.body
    assert OPAQUE not in error.headers["www-authenticate"]
    LOGGER.exception("the call failed", exc_info=error)
    assert_hidden(OPAQUE, error, error.problem)
    assert_logs_hide(OPAQUE, caplog)


def test_a_token_echoed_in_a_2xx_that_does_not_fit_is_scrubbed(server: FaultServer) -> None:
    server.script(Respond.json({"invoiceNo": 1, OPAQUE: f"Bearer {OPAQUE}", "invoiceDate": OPAQUE}))
    with _client(server) as client, pytest.raises(ResponseValidationError) as caught:
        client.exact.get_invoice(INVOICE_NO)
    assert_hidden(OPAQUE, caught.value)
    assert all(OPAQUE not in error for error in caught.value.errors)


def test_an_echo_cut_by_the_body_limit_leaves_no_part_of_the_token(server: FaultServer) -> None:
    body = ("x" * (64 * 1024 - 4) + OPAQUE).encode()
    server.script(Respond(401, body, (("Content-Type", "text/plain"),)))
    with _client(server) as client, pytest.raises(AuthenticationError) as caught:
        client.get_invoice(INVOICE_NO)
    assert OPAQUE[:6] not in caught.value.body[-20:]


def test_a_connection_error_chains_nothing_that_holds_the_token(server: FaultServer) -> None:
    server.script(*[ResetMidBody(Respond.json({}), sent=0)] * 3)
    with _client(server) as client, pytest.raises(ApiConnectionError) as caught:
        client.get_invoice(INVOICE_NO)
    cause = caught.value.__cause__
    assert cause is not None
    assert cause.__traceback__ is None
    assert cause.__cause__ is None
    assert "request" not in vars(cause) or vars(cause)["_request"] is None
    assert_hidden(OPAQUE, caught.value)
