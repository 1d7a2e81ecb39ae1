"""The clients against a misbehaving server on loopback: error classes, retries, timeouts, routing and secrecy."""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import unquote

import pytest

from payex_billing_invoice import (
    ROUTE_TEMPLATES,
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BillingInvoiceClient,
    BillingInvoiceError,
    ClientConfigurationError,
    InvalidRouteError,
    InvoiceNotFound,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    ServerError,
    SubscriptionNotFound,
    ValidationProblem,
)
from payex_billing_invoice._base_client import MAX_RESPONSE_BYTES
from tests._client_faults import (
    BOUND,
    FAST,
    INVOICE,
    INVOICE_NO,
    OK,
    OWNER_NO,
    STALL,
    TOKEN,
    assert_sealed,
    async_client,
)
from tests._fault_server import (
    Action,
    CloseWithoutResponse,
    FaultServer,
    OversizedBody,
    RawBytes,
    RecordedRequest,
    ResetMidBody,
    Respond,
    StallBeforeHeaders,
    StallMidBody,
    TruncatedBody,
)

ROUTE = ROUTE_TEMPLATES["getInvoice"]
INVOICE_PATH = f"/billing/invoice/v1/{OWNER_NO}/invoices/{INVOICE_NO}".encode()
UNAVAILABLE = Respond.json(
    {"title": "Service unavailable", "status": 503}, 503, content_type="application/problem+json"
)


def gaps(server: FaultServer) -> list[float]:
    """Seconds between consecutive arrivals."""
    arrivals = [request.arrived for request in server.requests]
    return [later - earlier for earlier, later in itertools.pairwise(arrivals)]


def test_html_502_is_a_server_error_with_the_raw_page_after_three_attempts(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
    server.script(*[Respond.text(page, 502, content_type="text/html")] * 3)
    started = time.monotonic()
    with pytest.raises(ServerError) as caught:
        client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < BOUND
    assert type(caught.value) is ServerError
    assert caught.value.status_code == 502
    assert caught.value.body == page
    assert caught.value.problem is None
    assert_sealed(server, logs, caught.value, client, attempts=3)


def test_empty_401_is_an_authentication_error_and_not_retried(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(Respond(401))
    started = time.monotonic()
    with pytest.raises(AuthenticationError) as caught:
        client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < BOUND
    assert type(caught.value) is AuthenticationError
    assert caught.value.body == ""
    assert_sealed(server, logs, caught.value, client, attempts=1)


def test_an_echoed_bearer_token_is_redacted_from_the_message(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(Respond.text(f"rejected Authorization: Bearer {TOKEN}", 401))
    with pytest.raises(AuthenticationError) as caught:
        client.get_invoice(INVOICE_NO)
    assert_sealed(server, logs, caught.value, client, attempts=1)


def test_503_then_200_succeeds_on_the_second_attempt(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(UNAVAILABLE, OK)
    started = time.monotonic()
    invoice = client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < BOUND
    assert invoice.invoice_no == INVOICE_NO
    assert_sealed(server, logs, invoice, client, attempts=2)


def test_503_three_times_is_a_server_error_after_three_attempts(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, OK)
    started = time.monotonic()
    with pytest.raises(ServerError) as caught:
        client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < BOUND
    assert type(caught.value) is ServerError
    assert caught.value.status_code == 503
    assert server.pending == 1
    assert_sealed(server, logs, caught.value, client, attempts=3)


def rate_limited(retry_after: str) -> Respond:
    """A 429 problem with this `Retry-After`."""
    return Respond.json({"title": "Too many requests"}, 429, headers=(("Retry-After", retry_after),))


@pytest.mark.parametrize(
    "retry_after",
    [
        pytest.param("0", id="zero-seconds"),
        pytest.param(format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True), id="http-date-in-the-past"),
        pytest.param("soon, probably", id="garbage"),
        pytest.param("1.5", id="fractional-seconds"),
    ],
)
def test_429_is_retried_then_succeeds(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture, retry_after: str
) -> None:
    server.script(rate_limited(retry_after), OK)
    started = time.monotonic()
    invoice = client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < BOUND
    assert invoice.invoice_no == INVOICE_NO
    assert all(gap < 1.0 for gap in gaps(server))
    assert_sealed(server, logs, client, attempts=2)


def test_429_with_garbage_retry_after_backs_off(server: FaultServer, client: BillingInvoiceClient) -> None:
    server.script(rate_limited("garbage"), rate_limited("garbage"), OK)
    client.get_invoice(INVOICE_NO)
    first, second = gaps(server)
    assert first >= FAST.initial_delay * 0.75
    assert second >= FAST.initial_delay * 2 * 0.75
    assert max(first, second) < 1.0


def test_429_retry_after_an_hour_waits_at_most_max_retry_after(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(rate_limited("3600"), OK)
    started = time.monotonic()
    client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < 1.0
    (gap,) = gaps(server)
    assert FAST.max_retry_after * 0.9 <= gap < FAST.max_retry_after + 0.5
    assert_sealed(server, logs, client, attempts=2)


def test_429_every_time_is_a_rate_limit_error(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(*[rate_limited("3600")] * 3)
    started = time.monotonic()
    with pytest.raises(RateLimitError) as caught:
        client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < 2.0
    assert type(caught.value) is RateLimitError
    assert caught.value.headers["Retry-After"] == "3600"
    assert_sealed(server, logs, caught.value, client, attempts=3)


def test_truncated_json_with_matching_content_length_is_a_validation_error(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(INVOICE).encode()[:25]
    server.script(Respond(200, body, (("Content-Type", "application/json"),)))
    with pytest.raises(ResponseValidationError) as caught:
        client.get_invoice(INVOICE_NO)
    assert type(caught.value) is ResponseValidationError
    assert caught.value.operation_id == "getInvoice"
    assert "getInvoice" in str(caught.value)
    assert caught.value.body == body.decode()
    assert_sealed(server, logs, caught.value, client, attempts=1)


def test_content_length_longer_than_the_body_is_a_connection_error_and_retried(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(*[TruncatedBody(OK, sent=20)] * 3)
    started = time.monotonic()
    with pytest.raises(ApiConnectionError) as caught:
        client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < BOUND
    assert type(caught.value) is ApiConnectionError
    assert_sealed(server, logs, caught.value, client, attempts=3)


def test_a_body_longer_than_declared_is_cut_and_the_connection_not_reused(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    first = json.dumps(INVOICE).encode()
    response = Respond(200, first + b"trailing garbage", (("Content-Type", "application/json"),), keep_alive=False)
    server.script(OversizedBody(response, len(first)), Respond.json({**INVOICE, "invoiceNo": "603012"}))
    assert client.get_invoice(INVOICE_NO).invoice_no == INVOICE_NO
    assert client.get_invoice("603012").invoice_no == "603012"
    assert [request.connection for request in server.requests] == [0, 1]
    assert_sealed(server, logs, client, attempts=2)


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="httpcore 1.0.9 / h11 0.16 (not the overlay): bytes after Content-Length on a kept-alive connection "
    "are buffered and taken as the response to the next request",
)
def test_bytes_beyond_content_length_never_answer_the_next_call(
    server: FaultServer, client: BillingInvoiceClient
) -> None:
    first = json.dumps(INVOICE).encode()
    planted = json.dumps({"invoiceNo": "999999"}).encode()
    extra = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
        len(planted),
        planted,
    )
    server.script(OversizedBody(Respond(200, first + extra, (("Content-Type", "application/json"),)), len(first)))
    server.script(Respond.json({**INVOICE, "invoiceNo": "603012"}))
    assert client.get_invoice(INVOICE_NO).invoice_no == INVOICE_NO
    assert client.get_invoice("603012").invoice_no == "603012"


@pytest.mark.parametrize("content_type", ["text/html", "text/html; charset=utf-8", "text/plain"])
def test_a_200_that_is_not_json_is_a_validation_error(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture, content_type: str
) -> None:
    server.script(Respond.text("<html><body>Maintenance</body></html>", content_type=content_type))
    with pytest.raises(ResponseValidationError) as caught:
        client.get_invoice(INVOICE_NO)
    assert type(caught.value) is ResponseValidationError
    assert caught.value.operation_id == "getInvoice"
    assert content_type.split(";", maxsplit=1)[0] in caught.value.errors[0]
    assert_sealed(server, logs, caught.value, client, attempts=1)


def test_a_pascal_case_problem_is_invoice_not_found(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    problem = {
        "Type": "billing/invoice/problems/invoice-not-found",
        "Title": "Invoice number not found in Usage",
        "Status": 404,
        "Instance": "7c6f1e2d-3b4a-4f5e-9d8c-1a2b3c4d5e6f",
    }
    server.script(Respond.json(problem, 404, content_type="application/problem+json"))
    with pytest.raises(InvoiceNotFound) as caught:
        client.get_invoice(INVOICE_NO)
    error = caught.value
    assert type(error) is InvoiceNotFound
    assert error.code == "invoice-not-found"
    assert error.instance == "7c6f1e2d-3b4a-4f5e-9d8c-1a2b3c4d5e6f"
    assert error.problem is not None
    assert error.problem.title == "Invoice number not found in Usage"
    assert error.instance in str(error)
    assert_sealed(server, logs, error, client, attempts=1)


def test_a_camel_case_validation_problem_maps_its_problems(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    problem = {
        "type": "billing/invoice/problems/validation",
        "title": "A validation error occurred",
        "status": 400,
        "instance": "dd07e588-70c8-4b27-95f5-020cc2968c06",
        "problems": [{"invoiceNo": "Not a valid invoice number"}],
    }
    server.script(Respond.json(problem, 400, content_type="application/problem+json; charset=utf-8"))
    with pytest.raises(ValidationProblem) as caught:
        client.get_invoice(INVOICE_NO)
    error = caught.value
    assert type(error) is ValidationProblem
    assert error.problem is not None
    assert dict(error.problem.problems) == {"invoiceNo": "Not a valid invoice number"}
    assert "invoiceNo: Not a valid invoice number" in str(error)
    assert_sealed(server, logs, error, client, attempts=1)


def test_a_reset_mid_body_is_a_connection_error_and_retried(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(*[ResetMidBody(OK, sent=10)] * 3)
    started = time.monotonic()
    with pytest.raises(ApiConnectionError) as caught:
        client.get_invoice(INVOICE_NO)
    assert time.monotonic() - started < BOUND
    assert type(caught.value) is ApiConnectionError
    assert_sealed(server, logs, caught.value, client, attempts=3)


def test_a_reset_then_200_succeeds(server: FaultServer, client: BillingInvoiceClient) -> None:
    server.script(ResetMidBody(OK, sent=10), OK)
    assert client.get_invoice(INVOICE_NO).invoice_no == INVOICE_NO
    assert len(server.requests) == 2


def test_closing_without_a_response_is_a_connection_error_and_retried(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(*[CloseWithoutResponse()] * 3)
    with pytest.raises(ApiConnectionError) as caught:
        client.get_invoice(INVOICE_NO)
    assert type(caught.value) is ApiConnectionError
    assert_sealed(server, logs, caught.value, client, attempts=3)


def test_a_stall_before_the_headers_times_out_and_is_retried(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(*[StallBeforeHeaders(STALL)] * 3)
    started = time.monotonic()
    with pytest.raises(ApiTimeoutError) as caught:
        client.get_invoice(INVOICE_NO, timeout=0.3)
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < BOUND
    assert type(caught.value) is ApiTimeoutError
    assert_sealed(server, logs, caught.value, client, attempts=3)


def test_a_stall_mid_body_times_out(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(*[StallMidBody(OK, sent=10, seconds=STALL)] * 3)
    started = time.monotonic()
    with pytest.raises(ApiTimeoutError) as caught:
        client.get_invoice(INVOICE_NO, timeout=0.3)
    assert time.monotonic() - started < BOUND
    assert type(caught.value) is ApiTimeoutError
    assert_sealed(server, logs, caught.value, client, attempts=3)


@pytest.mark.parametrize("how", ["retry_policy", "max_retries"])
def test_max_retries_zero_makes_exactly_one_attempt(
    server: FaultServer, logs: pytest.LogCaptureFixture, how: str
) -> None:
    server.script(UNAVAILABLE, OK)
    policy = RetryPolicy(max_retries=0) if how == "retry_policy" else None
    retries = None if how == "retry_policy" else 0
    with BillingInvoiceClient(
        base_url=server.url, owner_no=OWNER_NO, token=TOKEN, retry_policy=policy, max_retries=retries
    ) as client:
        with pytest.raises(ServerError) as caught:
            client.get_invoice(INVOICE_NO)
        assert_sealed(server, logs, caught.value, client, attempts=1)


def test_a_redirect_to_another_host_is_not_followed(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    with FaultServer("127.0.0.2") as elsewhere:
        elsewhere.script(OK)
        server.script(Respond.redirect(f"{elsewhere.url}{INVOICE_PATH.decode()}"))
        with pytest.raises(ApiStatusError) as caught:
            client.get_invoice(INVOICE_NO)
        assert type(caught.value) is ApiStatusError
        assert caught.value.status_code == 302
        assert caught.value.headers["Location"].startswith(elsewhere.url)
        assert elsewhere.requests == ()
        assert elsewhere.connections == 0
    assert_sealed(server, logs, caught.value, client, attempts=1)


@pytest.mark.parametrize("exact", [False, True], ids=["attrs", "exact"])
def test_a_200_that_does_not_fit_the_spec_names_the_field(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture, exact: bool
) -> None:
    server.script(Respond.json({"invoiceNo": 603010}))
    with pytest.raises(ResponseValidationError) as caught:
        (client.exact.get_invoice if exact else client.get_invoice)(INVOICE_NO)
    assert type(caught.value) is ResponseValidationError
    assert caught.value.operation_id == "getInvoice"
    assert any(error.startswith("invoiceNo") for error in caught.value.errors)
    assert "603010" not in " ".join(caught.value.errors)
    assert_sealed(server, logs, caught.value, client, attempts=1)


def test_the_tracking_header_is_stable_across_retries_and_fresh_per_call(
    server: FaultServer, client: BillingInvoiceClient
) -> None:
    server.script(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, OK)
    with pytest.raises(ServerError) as caught:
        client.get_invoice(INVOICE_NO)
    client.get_invoice(INVOICE_NO)
    ids = [request.header_values("X-Request-Id") for request in server.requests]
    assert all(len(values) == 1 and values[0] for values in ids)
    first_call = {values[0] for values in ids[:3]}
    assert first_call == {caught.value.request_id}
    assert ids[3][0] not in first_call


def test_a_custom_tracking_header_and_none(server: FaultServer) -> None:
    server.script(OK, OK)
    with BillingInvoiceClient(
        base_url=server.url,
        owner_no=OWNER_NO,
        token=TOKEN,
        retry_policy=FAST,
        tracking_header="Correlation-Id",
        tracking_id_factory=lambda: "c-1",
    ) as custom_client:
        custom_client.get_invoice(INVOICE_NO)
    with BillingInvoiceClient(
        base_url=server.url, owner_no=OWNER_NO, token=TOKEN, retry_policy=FAST, tracking_header=None
    ) as untracked_client:
        untracked_client.get_invoice(INVOICE_NO)
    custom, untracked = server.requests
    assert custom.header_values("Correlation-Id") == ["c-1"]
    assert custom.header("X-Request-Id") is None
    assert untracked.header("X-Request-Id") is None
    assert untracked.header("Correlation-Id") is None


def test_each_retry_is_logged_with_the_route_template(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture
) -> None:
    server.script(UNAVAILABLE, rate_limited("0"), OK)
    client.get_invoice(INVOICE_NO)
    ours = [record for record in logs.records if record.name == "payex_billing_invoice"]
    retries = [record for record in ours if record.levelno == logging.INFO]
    assert len(retries) == 2
    for attempt, record in enumerate(retries, start=2):
        assert ROUTE in record.getMessage()
        assert getattr(record, "payex_route", None) == ROUTE
        assert getattr(record, "payex_attempt", None) == attempt
    assert ours
    for record in ours:
        assert INVOICE_NO not in record.getMessage()
        assert INVOICE_NO not in repr(vars(record))
    assert_sealed(server, logs, client, attempts=3)


@pytest.mark.parametrize("invoice_no", ["a/b", "%2F", "?x", "#x", "a b", "+46 70", "\\", ";", "ö"])
def test_a_hostile_id_reaches_the_server_as_exactly_one_segment(
    server: FaultServer, client: BillingInvoiceClient, logs: pytest.LogCaptureFixture, invoice_no: str
) -> None:
    server.script(Respond.json({**INVOICE, "invoiceNo": invoice_no}))
    assert client.get_invoice(invoice_no).invoice_no == invoice_no
    (request,) = server.requests
    method, target, version = request.request_line.split(b" ")
    assert (method, version) == (b"GET", b"HTTP/1.1")
    prefix = f"/billing/invoice/v1/{OWNER_NO}/invoices/".encode()
    assert target.startswith(prefix)
    segment = target.removeprefix(prefix)
    assert segment
    assert not any(character in segment for character in b"/?#\\ ")
    assert segment.isascii()
    assert unquote(segment.decode("ascii"), errors="strict") == invoice_no
    assert_sealed(server, logs, client, attempts=1)


@pytest.mark.parametrize("invoice_no", ["..", "", "\x00", "9" * 1000], ids=["dot-dot", "empty", "nul", "1000-chars"])
def test_an_unroutable_id_is_refused_before_any_request(
    server: FaultServer, client: BillingInvoiceClient, invoice_no: str
) -> None:
    with pytest.raises(InvalidRouteError):
        client.get_invoice(invoice_no)
    assert server.requests == ()
    assert server.connections == 0


def test_a_superscript_retry_after_falls_back_to_backoff(server: FaultServer, client: BillingInvoiceClient) -> None:
    server.script(rate_limited("²"), OK)
    assert client.get_invoice(INVOICE_NO).invoice_no == INVOICE_NO


def test_a_nan_retry_after_ms_falls_back_to_backoff(server: FaultServer, client: BillingInvoiceClient) -> None:
    server.script(Respond(429, headers=(("retry-after-ms", "nan"),)), OK)
    assert client.get_invoice(INVOICE_NO).invoice_no == INVOICE_NO


def test_an_invalid_tracking_header_name_is_refused_up_front(server: FaultServer) -> None:
    with pytest.raises(ClientConfigurationError):
        BillingInvoiceClient(base_url=server.url, owner_no=OWNER_NO, token=TOKEN, tracking_header="Bad Header")


def test_a_body_above_max_response_bytes_is_refused(server: FaultServer, client: BillingInvoiceClient) -> None:
    body = json.dumps(INVOICE).encode() + b" " * MAX_RESPONSE_BYTES
    server.script(Respond(200, body, (("Content-Type", "application/json"),)))
    with pytest.raises(BillingInvoiceError):
        client.get_invoice(INVOICE_NO)


async def test_async_503_then_200_succeeds(server: FaultServer, logs: pytest.LogCaptureFixture) -> None:
    server.script(UNAVAILABLE, OK)
    async with async_client(server) as client:
        invoice = await client.get_invoice(INVOICE_NO)
        assert invoice.invoice_no == INVOICE_NO
        assert_sealed(server, logs, invoice, client, attempts=2)
    first, second = server.requests
    assert first.header("X-Request-Id") == second.header("X-Request-Id")


async def test_async_stall_before_the_headers_times_out(server: FaultServer, logs: pytest.LogCaptureFixture) -> None:
    server.script(*[StallBeforeHeaders(STALL)] * 3)
    started = time.monotonic()
    async with async_client(server) as client:
        with pytest.raises(ApiTimeoutError) as caught:
            await client.get_invoice(INVOICE_NO, timeout=0.3)
        assert type(caught.value) is ApiTimeoutError
        assert_sealed(server, logs, caught.value, client, attempts=3)
    assert time.monotonic() - started < BOUND


async def test_async_reset_mid_body_is_a_connection_error(server: FaultServer, logs: pytest.LogCaptureFixture) -> None:
    server.script(*[ResetMidBody(OK, sent=10)] * 3)
    async with async_client(server) as client:
        with pytest.raises(ApiConnectionError) as caught:
            await client.get_invoice(INVOICE_NO)
        assert type(caught.value) is ApiConnectionError
        assert_sealed(server, logs, caught.value, client, attempts=3)


async def test_async_problem_and_redirect(server: FaultServer, logs: pytest.LogCaptureFixture) -> None:
    problem = {"Type": "billing/invoice/problems/invoice-not-found", "Status": 404, "Instance": "i-1"}
    with FaultServer("127.0.0.2") as elsewhere:
        server.script(
            Respond.json(problem, 404, content_type="application/problem+json"),
            Respond.redirect(f"{elsewhere.url}{INVOICE_PATH.decode()}", 307),
        )
        async with async_client(server) as client:
            with pytest.raises(InvoiceNotFound) as not_found:
                await client.get_invoice(INVOICE_NO)
            with pytest.raises(ApiStatusError) as redirected:
                await client.get_invoice(INVOICE_NO)
            assert not_found.value.instance == "i-1"
            assert type(redirected.value) is ApiStatusError
            assert redirected.value.status_code == 307
            assert_sealed(server, logs, not_found.value, redirected.value, client, attempts=2)
        assert elsewhere.connections == 0


async def test_async_hostile_id_stays_one_segment(server: FaultServer) -> None:
    server.script(Respond.json({**INVOICE, "invoiceNo": "a/b?c#d"}))
    async with async_client(server) as client:
        assert (await client.get_invoice("a/b?c#d")).invoice_no == "a/b?c#d"
        with pytest.raises(InvalidRouteError):
            await client.get_invoice("..")
    (request,) = server.requests
    assert request.target == f"/billing/invoice/v1/{OWNER_NO}/invoices/a%2Fb%3Fc%23d".encode()


def _small_limit_client(server: FaultServer) -> BillingInvoiceClient:
    return BillingInvoiceClient(
        base_url=server.url, owner_no=OWNER_NO, token=TOKEN, retry_policy=FAST, max_response_bytes=1000
    )


def test_a_body_growing_past_max_response_bytes_is_refused_while_read(server: FaultServer) -> None:
    body = json.dumps(INVOICE).encode() + b" " * 5000
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
    server.script(RawBytes(head + body))
    with _small_limit_client(server) as client, pytest.raises(ResponseValidationError) as caught:
        client.get_invoice(INVOICE_NO)
    assert "larger than 1000 bytes" in str(caught.value)
    assert len(server.requests) == 1


def test_a_gzip_bomb_is_refused_by_its_decoded_size(server: FaultServer) -> None:
    bomb = gzip.compress(b" " * 5_000_000)
    server.script(Respond(200, bomb, (("Content-Type", "application/json"), ("Content-Encoding", "gzip"))))
    with _small_limit_client(server) as client, pytest.raises(ResponseValidationError) as caught:
        client.get_invoice(INVOICE_NO)
    assert "larger than 1000 bytes" in str(caught.value)


def test_a_large_error_body_keeps_its_status_class_and_is_cut(server: FaultServer) -> None:
    server.script(*[Respond(502, b"<html>" + b"x" * 5000, (("Content-Type", "text/html"),))] * 3)
    with _small_limit_client(server) as client, pytest.raises(ServerError) as caught:
        client.get_invoice(INVOICE_NO)
    assert caught.value.status_code == 502
    assert len(caught.value.body) <= 1000
    assert len(server.requests) == 3


def test_invoice_lines_refuses_a_subscription_link_to_another_owner_as_a_response_problem(
    server: FaultServer, client: BillingInvoiceClient
) -> None:
    foreign = {"items": [{"subscriptionNo": "1", "recurringProducts": "/billing/invoice/v1/other/invoices/1/x"}]}
    server.script(OK, Respond.json({"items": []}), Respond.json(foreign))
    with pytest.raises(ResponseValidationError) as caught:
        client.invoice_lines(INVOICE_NO)
    assert "cannot be followed" in str(caught.value)
    assert len(server.requests) == 3


async def test_async_invoice_lines_raises_the_first_error_and_cancels_the_rest(server: FaultServer) -> None:
    subscriptions = {"items": [{"subscriptionNo": str(number)} for number in range(6)]}
    missing = Respond.json(
        {"type": "billing/invoice/problems/subscription-not-found", "status": 404},
        404,
        content_type="application/problem+json",
    )

    def answer(request: RecordedRequest) -> Action:
        target = request.target.decode()
        if target.endswith("/subscriptions"):
            return Respond.json(subscriptions)
        if "/subscriptions/3/" in target:
            return missing
        if "/subscriptions/" in target:
            return StallBeforeHeaders(2.0)
        return Respond.json({"items": []}) if target.endswith("products") else OK

    server.fallback = answer
    started = time.monotonic()
    async with async_client(server) as client:
        with pytest.raises(SubscriptionNotFound):
            await client.invoice_lines(INVOICE_NO)
    assert time.monotonic() - started < 1.5


def _lines_server(server: FaultServer, subscriptions: list[dict[str, str]]) -> None:
    """Answer `invoice_lines`: amount 100, no customer-level products, these subscriptions, 100 per subscription."""
    products = {"items": [{"productNo": "P", "amount": 100}]}

    def answer(request: RecordedRequest) -> Action:
        target = request.target.decode()
        if target.endswith("/subscriptions"):
            return Respond.json({"items": subscriptions})
        if target.endswith(f"/invoices/{INVOICE_NO}/recurring-products"):
            return Respond.json({"items": []})
        if target.endswith("/recurring-products"):
            return Respond.json(products)
        return Respond.json({**INVOICE, "invoiceAmount": 100})

    server.fallback = answer


ANOTHER_INVOICE = f"/billing/invoice/v1/{OWNER_NO}/invoices/999999/subscriptions/1/recurring-products"
OWN_LINK = f"/billing/invoice/v1/{OWNER_NO}/invoices/{INVOICE_NO}/subscriptions/1/recurring-products"
REFUSED_LINES = [
    pytest.param([{"subscriptionNo": "1", "recurringProducts": ANOTHER_INVOICE}], "999999", id="another-invoice"),
    pytest.param([{"recurringProducts": ANOTHER_INVOICE}], "999999", id="another-invoice-no-number"),
    pytest.param([{"subscriptionNo": "2", "recurringProducts": OWN_LINK}], "another subscription", id="other-number"),
    pytest.param([{"subscriptionNo": "1"}, {"subscriptionNo": "1"}], "listed more than once", id="twice-by-number"),
    pytest.param(
        [{"subscriptionNo": "1"}, {"recurringProducts": OWN_LINK}], "listed more than once", id="twice-by-link"
    ),
]


@pytest.mark.parametrize(("subscriptions", "named"), REFUSED_LINES)
def test_invoice_lines_follows_only_this_invoices_subscriptions_once(
    server: FaultServer,
    client: BillingInvoiceClient,
    logs: pytest.LogCaptureFixture,
    subscriptions: list[dict[str, str]],
    named: str,
) -> None:
    _lines_server(server, subscriptions)
    with pytest.raises(ResponseValidationError, match=named) as caught:
        client.invoice_lines(INVOICE_NO)
    assert len(server.requests) == 3
    assert not any(b"/subscriptions/" in request.target for request in server.requests)
    assert_sealed(server, logs, caught.value, attempts=3)


@pytest.mark.parametrize(("subscriptions", "named"), REFUSED_LINES)
async def test_async_invoice_lines_follows_only_this_invoices_subscriptions_once(
    server: FaultServer, subscriptions: list[dict[str, str]], named: str
) -> None:
    _lines_server(server, subscriptions)
    async with async_client(server) as client:
        with pytest.raises(ResponseValidationError, match=named):
            await client.invoice_lines(INVOICE_NO)
    assert not any(b"/subscriptions/" in request.target for request in server.requests)


def test_invoice_lines_follows_a_link_of_this_invoice_and_its_number(
    server: FaultServer, client: BillingInvoiceClient
) -> None:
    _lines_server(server, [{"subscriptionNo": "1", "recurringProducts": OWN_LINK}, {"subscriptionNo": "2"}])
    lines = client.invoice_lines(INVOICE_NO)
    assert lines.total == 200
    assert [len(line.recurring_products) for line in lines.subscriptions] == [1, 1]
