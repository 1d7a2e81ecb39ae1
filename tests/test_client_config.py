"""Client construction: settings, environment variables, refusals, and secrets kept out of reprs."""

from __future__ import annotations

import asyncio
import ssl
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from payex_billing_invoice import (
    ENV_BASE_URL,
    ENV_CLIENT_CERT,
    ENV_CLIENT_KEY,
    ENV_OWNER_NO,
    ENV_TOKEN,
    PRODUCTION_URL,
    AsyncBillingInvoiceClient,
    BillingInvoiceClient,
    ClientConfigurationError,
    ClientStateError,
    InvalidRouteError,
    RetryPolicy,
)

TOKEN = "tok-config-5b7c9d"


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (ENV_TOKEN, ENV_OWNER_NO, ENV_BASE_URL, ENV_CLIENT_CERT, ENV_CLIENT_KEY):
        monkeypatch.delenv(variable, raising=False)


def test_defaults_to_production_and_keeps_the_token_out_of_repr() -> None:
    with BillingInvoiceClient(owner_no="xxx", token=TOKEN) as client:
        assert repr(client) == f"BillingInvoiceClient(owner_no='xxx', base_url='{PRODUCTION_URL}')"
        assert TOKEN not in repr(client.exact)
        assert TOKEN not in repr(vars(client))
        assert client.owner_no == "xxx"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_TOKEN, TOKEN)
    monkeypatch.setenv(ENV_OWNER_NO, "0000003")
    monkeypatch.setenv(ENV_BASE_URL, "http://127.0.0.1:9/")
    with BillingInvoiceClient() as client:
        assert repr(client) == "BillingInvoiceClient(owner_no='0000003', base_url='http://127.0.0.1:9')"


def test_missing_token_or_owner_is_a_configuration_error() -> None:
    with pytest.raises(ClientConfigurationError, match="token is required"):
        BillingInvoiceClient(owner_no="xxx")
    with pytest.raises(ClientConfigurationError, match="owner_no is required"):
        BillingInvoiceClient(token=TOKEN)
    with pytest.raises(ClientConfigurationError, match="owner_no is required"):
        BillingInvoiceClient(owner_no="", token=TOKEN)


@pytest.mark.parametrize("owner_no", ["..", "a\nb", "x" * 300])
def test_an_owner_that_can_never_be_valid_is_refused(owner_no: str) -> None:
    with pytest.raises(InvalidRouteError):
        BillingInvoiceClient(owner_no=owner_no, token=TOKEN)


@pytest.mark.parametrize(
    "base_url", ["http://lf-api.payex.com", "http://10.0.0.1:8080", "ftp://lf-api.payex.com", "not a url", "https://"]
)
def test_unsafe_or_broken_base_urls_are_refused(base_url: str) -> None:
    with pytest.raises(ClientConfigurationError) as raised:
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, base_url=base_url)
    assert TOKEN not in str(raised.value)


def test_credentials_in_the_base_url_are_refused() -> None:
    with pytest.raises(ClientConfigurationError, match="credentials"):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, base_url="https://user:pw@lf-api.payex.com")


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:4010", "http://localhost:1", "http://[::1]:8000"])
def test_plain_http_is_allowed_on_loopback(base_url: str) -> None:
    BillingInvoiceClient(owner_no="xxx", token=TOKEN, base_url=base_url).close()


def test_plain_http_elsewhere_needs_an_explicit_opt_in() -> None:
    BillingInvoiceClient(
        owner_no="xxx", token=TOKEN, base_url="http://gateway.internal", allow_insecure_http=True
    ).close()


def test_tls_options_exclude_each_other(tmp_path: Path) -> None:
    with pytest.raises(ClientConfigurationError, match="not both"):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, ssl_context=ssl.create_default_context(), client_cert="c.pem")
    with pytest.raises(ClientConfigurationError, match="http_client"):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, http_client=httpx.Client(), client_cert="c.pem")
    with pytest.raises(ClientConfigurationError, match="without client_cert"):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, client_key="k.pem")


def test_an_unreadable_certificate_is_a_configuration_error(tmp_path: Path) -> None:
    broken = tmp_path / "client.pem"
    broken.write_text("not a certificate")
    with pytest.raises(ClientConfigurationError, match=r"client\.pem"):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, client_cert=broken)


def test_invalid_retry_and_concurrency_settings_are_refused() -> None:
    with pytest.raises(ClientConfigurationError):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, max_retries=-1)
    with pytest.raises(ClientConfigurationError):
        AsyncBillingInvoiceClient(owner_no="xxx", token=TOKEN, max_concurrency=0)


def test_a_passed_http_client_is_not_closed() -> None:
    http_client = httpx.Client()
    with BillingInvoiceClient(owner_no="xxx", token=TOKEN, http_client=http_client):
        pass
    assert not http_client.is_closed
    http_client.close()


def _headers(**values: str) -> httpx.Headers:
    return httpx.Headers({name.replace("_", "-"): value for name, value in values.items()})


def test_retry_after_seconds_and_dates_are_honoured_and_capped() -> None:
    policy = RetryPolicy(max_retries=3, max_retry_after=30.0)
    assert policy.delay(0, _headers(retry_after="7")) == 7.0
    assert policy.delay(0, _headers(retry_after="3600")) == 30.0
    assert policy.delay(0, _headers(retry_after_ms="250")) == 0.25
    in_ten_seconds = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 8.0 <= policy.delay(0, _headers(retry_after=in_ten_seconds)) <= 10.0
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert policy.delay(0, _headers(retry_after=past)) == 0.0


@pytest.mark.parametrize("garbage", ["soon", "-5", "1e9999", "Mon, 99 Foo 2026", ""])
def test_unreadable_retry_after_falls_back_to_backoff(garbage: str) -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=8.0)
    assert 0.375 <= policy.delay(0, _headers(retry_after=garbage)) <= 0.5


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(max_retries=10, initial_delay=0.5, max_delay=4.0)
    for retries_done, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (6, 4.0)]:
        delays = [policy.delay(retries_done) for _ in range(50)]
        assert all(0.75 * ceiling <= delay <= ceiling for delay in delays)
        assert len(set(delays)) > 1


def test_which_failures_are_retried() -> None:
    policy = RetryPolicy(max_retries=2)
    assert [status for status in (400, 401, 404, 429, 500, 501, 502, 503, 504) if policy.should_retry(0, status)] == [
        429,
        502,
        503,
        504,
    ]
    assert policy.should_retry(1, None)
    assert not policy.should_retry(2, 503)
    assert not RetryPolicy(max_retries=0).should_retry(0, None)


def test_retry_options_exclude_each_other_and_must_be_finite() -> None:
    with pytest.raises(ClientConfigurationError, match="not both"):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, max_retries=1, retry_policy=RetryPolicy())
    with pytest.raises(ValueError, match="finite"):
        RetryPolicy(initial_delay=float("nan"))
    with pytest.raises(ValueError, match="finite"):
        RetryPolicy(max_delay=float("inf"))
    with pytest.raises(ValueError, match="finite"):
        RetryPolicy(max_retry_after=float("nan"))


@pytest.mark.parametrize("name", ["Bad Header", "X-Id\r\nInjected: 1", "", "Ünicode"])
def test_an_invalid_tracking_header_name_is_refused(name: str) -> None:
    with pytest.raises(ClientConfigurationError, match="tracking_header"):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, tracking_header=name)


def test_a_tracking_id_with_a_line_break_is_refused_before_sending() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    with (
        BillingInvoiceClient(
            owner_no="xxx",
            token=TOKEN,
            tracking_id_factory=lambda: "id\r\nX-Injected: 1",
            transport=httpx.MockTransport(record),
        ) as client,
        pytest.raises(ClientConfigurationError, match="tracking_id_factory"),
    ):
        client.get_invoice("603010")
    assert sent == []


@pytest.mark.parametrize("limit", [0, -1])
def test_max_response_bytes_must_be_positive(limit: int) -> None:
    with pytest.raises(ClientConfigurationError, match="max_response_bytes"):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, max_response_bytes=limit)


def _refused(**settings: object) -> ClientConfigurationError:
    """The error both clients raise for `settings`; it never shows the token."""
    errors = []
    for facade in (BillingInvoiceClient, AsyncBillingInvoiceClient):
        with pytest.raises(ClientConfigurationError) as caught:
            facade(**{"owner_no": "xxx", "token": TOKEN, **settings})  # type: ignore[arg-type]
        assert TOKEN not in str(caught.value)
        assert TOKEN not in repr(caught.value)
        errors.append(caught.value)
    return errors[0]


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"base_url": "http://127.0.0.1:1/api?"}, id="base-url-empty-query"),
        pytest.param({"base_url": "http://127.0.0.1:1/api#"}, id="base-url-empty-fragment"),
        pytest.param({"base_url": "http://127.0.0.1:1/a b"}, id="base-url-space"),
        pytest.param({"base_url": "http://127.0.0.1:1/\n"}, id="base-url-newline"),
        pytest.param({"base_url": b"http://127.0.0.1:1"}, id="base-url-bytes"),
        pytest.param({"base_url": "http://127.0.0.1:99999"}, id="base-url-bad-port"),
        *(pytest.param({"timeout": value}, id=f"timeout-{value!r}") for value in (-1, 0, NAN, INF, "5", True)),
        pytest.param({"timeout": httpx.Timeout(5.0, read=-1)}, id="timeout-negative-part"),
        pytest.param({"timeout": httpx.Timeout(5.0, connect=NAN)}, id="timeout-nan-part"),
        *(pytest.param({"max_retries": value}, id=f"max-retries-{value!r}") for value in ("2", 2.0, True, -1, 101)),
        *(
            pytest.param({"max_response_bytes": value}, id=f"max-response-bytes-{value!r}")
            for value in ("10", NAN, 10.0, 0, True)
        ),
        pytest.param({"retry_policy": "fast"}, id="retry-policy-str"),
        pytest.param({"tracking_header": 5}, id="tracking-header-int"),
        pytest.param({"tracking_id_factory": "uuid"}, id="tracking-id-factory-str"),
        pytest.param({"allow_insecure_http": "yes"}, id="allow-insecure-http-str"),
        pytest.param({"trust_env": 1}, id="trust-env-int"),
        pytest.param({"client_cert": 5}, id="client-cert-int"),
        pytest.param({"ssl_context": "default"}, id="ssl-context-str"),
        pytest.param({"token": 12345678}, id="token-int"),
        pytest.param({"http_client": object()}, id="http-client-object"),
    ],
)
def test_every_bad_setting_is_refused_at_construction(settings: dict[str, object]) -> None:
    _refused(**settings)


def test_a_transport_of_the_other_kind_is_refused() -> None:
    with pytest.raises(ClientConfigurationError, match="transport"):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, transport=httpx.AsyncHTTPTransport())  # type: ignore[arg-type]
    with pytest.raises(ClientConfigurationError, match="transport"):
        AsyncBillingInvoiceClient(owner_no="xxx", token=TOKEN, transport=httpx.HTTPTransport())  # type: ignore[arg-type]
    with pytest.raises(ClientConfigurationError, match="http_client"):
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, http_client=httpx.AsyncClient())  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["8", 0, 8.0, True])
def test_max_concurrency_must_be_a_positive_int(value: object) -> None:
    with pytest.raises(ClientConfigurationError, match="max_concurrency"):
        AsyncBillingInvoiceClient(owner_no="xxx", token=TOKEN, max_concurrency=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "settings",
    [
        {"max_retries": float("inf")},
        {"max_retries": "2"},
        {"max_retries": 10**6},
        {"initial_delay": "0.5"},
        {"max_delay": -1.0},
        {"max_retry_after": True},
    ],
)
def test_a_retry_policy_that_cannot_work_is_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ClientConfigurationError, match="RetryPolicy"):
        RetryPolicy(**settings)  # type: ignore[arg-type]


def test_backoff_stays_finite_after_any_number_of_retries() -> None:
    policy = RetryPolicy(max_retries=100, initial_delay=0.5, max_delay=8.0)
    assert all(6.0 <= policy.delay(retries) <= 8.0 for retries in (1023, 1024, 5000, 10**9))


def _recording_transport(sent: list[httpx.Request]) -> httpx.MockTransport:
    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    return httpx.MockTransport(record)


@pytest.mark.parametrize("timeout", [-1, float("nan"), "1"])
def test_a_bad_per_call_timeout_is_refused_before_sending(timeout: object) -> None:
    sent: list[httpx.Request] = []
    transport = _recording_transport(sent)
    with (
        BillingInvoiceClient(owner_no="xxx", token=TOKEN, transport=transport) as client,
        pytest.raises(ClientConfigurationError, match="timeout"),
    ):
        client.get_invoice("603010", timeout=timeout)  # type: ignore[arg-type]
    assert sent == []


def test_a_call_after_close_is_a_client_state_error() -> None:
    sent: list[httpx.Request] = []
    transport = _recording_transport(sent)
    client = BillingInvoiceClient(owner_no="xxx", token=TOKEN, transport=transport)
    client.close()
    with pytest.raises(ClientStateError, match="closed"):
        client.get_invoice("603010")
    with pytest.raises(ClientStateError):
        client.invoice_lines("603010")
    assert sent == []


async def test_an_async_call_after_close_is_a_client_state_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    client = AsyncBillingInvoiceClient(owner_no="xxx", token=TOKEN, transport=transport)
    await client.close()
    with pytest.raises(ClientStateError, match="closed"):
        await client.get_invoice("603010")


def test_an_async_client_used_in_another_event_loop_is_a_client_state_error() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"invoiceNo": "603010"}))
    client = AsyncBillingInvoiceClient(owner_no="xxx", token=TOKEN, transport=transport)
    assert asyncio.run(client.get_invoice("603010")).invoice_no == "603010"
    with pytest.raises(ClientStateError, match="event loop"):
        asyncio.run(client.get_invoice("603010"))
