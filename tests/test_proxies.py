"""Environment proxies: ignored unless the caller opts in with `trust_env=True`; even then never used for a
plain-http base URL (the token would cross the proxy in clear), and a proxy setting that cannot work is a
`ClientConfigurationError` at construction."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from payex_billing_invoice import (
    ApiConnectionError,
    AsyncBillingInvoiceClient,
    BillingInvoiceClient,
    ClientConfigurationError,
)
from tests._client_faults import FAST, INVOICE_NO, OK, OWNER_NO, TOKEN, assert_hidden
from tests._fault_server import CloseWithoutResponse, FaultServer

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultServer]:
    """A loopback server every proxy variable of the environment points at; it answers nothing."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with FaultServer(fallback=lambda request: CloseWithoutResponse()) as running:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(name, running.url)
        yield running


@pytest.mark.parametrize("trust_env", [False, True])
def test_a_plain_http_call_never_goes_through_an_environment_proxy(
    server: FaultServer, proxy: FaultServer, trust_env: bool
) -> None:
    server.script(OK)
    with BillingInvoiceClient(
        base_url=server.url, owner_no=OWNER_NO, token=TOKEN, retry_policy=FAST, trust_env=trust_env
    ) as client:
        assert client.get_invoice(INVOICE_NO).invoice_no == INVOICE_NO
    assert proxy.connections == 0
    assert len(server.requests) == 1


async def test_the_async_client_ignores_environment_proxies_too(server: FaultServer, proxy: FaultServer) -> None:
    server.script(OK)
    async with AsyncBillingInvoiceClient(base_url=server.url, owner_no=OWNER_NO, token=TOKEN) as client:
        assert (await client.get_invoice(INVOICE_NO)).invoice_no == INVOICE_NO
    assert proxy.connections == 0


def test_an_https_call_through_an_opted_in_proxy_is_tunnelled_without_the_token(proxy: FaultServer) -> None:
    with (
        BillingInvoiceClient(owner_no=OWNER_NO, token=TOKEN, retry_policy=FAST, trust_env=True) as client,
        pytest.raises(ApiConnectionError) as caught,
    ):
        client.get_invoice(INVOICE_NO)
    assert proxy.requests
    for request in proxy.requests:
        assert request.method == "CONNECT"
        assert request.header("Authorization") is None
        assert TOKEN.encode() not in request.head
    assert_hidden(TOKEN, caught.value)


@pytest.mark.parametrize("client_type", [httpx.Client, httpx.AsyncClient])
def test_a_passed_http_client_that_would_proxy_plain_http_is_refused(
    server: FaultServer, proxy: FaultServer, client_type: type[httpx.Client] | type[httpx.AsyncClient]
) -> None:
    http_client = client_type()  # httpx trusts the environment by default
    facade = BillingInvoiceClient if client_type is httpx.Client else AsyncBillingInvoiceClient
    with pytest.raises(ClientConfigurationError, match="proxy") as caught:
        facade(base_url=server.url, owner_no=OWNER_NO, token=TOKEN, http_client=http_client)  # type: ignore[arg-type]
    assert_hidden(TOKEN, caught.value)
    assert proxy.connections == 0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        pytest.param("ALL_PROXY", "socks5://127.0.0.1:1", id="socks-without-socksio"),
        pytest.param("HTTPS_PROXY", "ftp://127.0.0.1:1", id="unknown-scheme"),
        pytest.param("HTTPS_PROXY", "http://[::1", id="malformed"),
    ],
)
def test_an_unusable_environment_proxy_is_ignored_by_default_and_refused_when_trusted(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, value)
    BillingInvoiceClient(owner_no=OWNER_NO, token=TOKEN).close()
    for facade in (BillingInvoiceClient, AsyncBillingInvoiceClient):
        with pytest.raises(ClientConfigurationError, match="proxy") as caught:
            facade(owner_no=OWNER_NO, token=TOKEN, trust_env=True)
        assert_hidden(TOKEN, caught.value)
        assert caught.value.__cause__ is None
