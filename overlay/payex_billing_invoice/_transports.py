"""Optional async transports: `http_backend="aiohttp"` sends the async client's requests through httpx-aiohttp."""

from __future__ import annotations

import ssl
from typing import Literal, TypeAlias

import httpx

from payex_billing_invoice._exceptions import ClientConfigurationError

__all__ = ["HttpBackend", "async_transport"]

HttpBackend: TypeAlias = Literal["httpx", "aiohttp"]


def async_transport(backend: HttpBackend, verify: ssl.SSLContext | None) -> httpx.AsyncBaseTransport | None:
    """The transport of `backend` (None: httpx's own), verifying TLS with `verify` or the system's CAs."""
    if backend == "httpx":
        return None
    if backend != "aiohttp":
        raise ClientConfigurationError(f"http_backend must be 'httpx' or 'aiohttp', not {backend!r}")
    try:
        from httpx_aiohttp import AiohttpTransport  # noqa: PLC0415 - an optional extra
    except ImportError:
        raise ClientConfigurationError(
            "http_backend='aiohttp' needs httpx-aiohttp: pip install 'payex-billing-invoice[aiohttp]'"
        ) from None
    transport: httpx.AsyncBaseTransport = AiohttpTransport(verify=verify if verify is not None else True)
    return transport
