"""What the sync and async clients share: settings, request preparation, retries, response decoding, logging.

The exchange of one call is written once, as a generator that yields what to do next (send a request, or
sleep before a retry) and receives the outcome; the sync and async clients only drive it.

Every text the server sends passes through the client's `Redactor` (the exact token, whatever the server echoes)
before an exception keeps it; each attempt carries a deadline (connect to last byte), each call an overall one.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import ssl
import time
from collections.abc import Callable, Generator, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Final, NamedTuple, TypeVar

import httpx

from payex_billing_invoice import _decode
from payex_billing_invoice._body import ACCEPT_ENCODING, ResponseTooLargeError, UndecodableBodyError
from payex_billing_invoice._exceptions import (
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    BillingInvoiceError,
    ClientConfigurationError,
    InvalidRouteError,
    ResponseValidationError,
    error_for_response,
)
from payex_billing_invoice._headers import ExtraHeaders, merge_extra_headers
from payex_billing_invoice._logs import escape, logger
from payex_billing_invoice._operations import ENDPOINTS, Endpoint, GeneratedModel, LinkedExactModel, LinkedModel
from payex_billing_invoice._retries import RetryPolicy
from payex_billing_invoice._routes import ROUTE_TEMPLATES, parse_link, validate_segment
from payex_billing_invoice._secrets import Redactor, check_token
from payex_billing_invoice._settings import (
    check_bool,
    check_count,
    check_optional_path,
    check_seconds,
    check_timeout,
)
from payex_billing_invoice_openapi._exact_base import ExactStruct

__all__ = [
    "DEFAULT_CALL_DEADLINE",
    "DEFAULT_REQUEST_DEADLINE",
    "DEFAULT_TIMEOUT",
    "ENV_BASE_URL",
    "ENV_CA_BUNDLE",
    "ENV_CLIENT_CERT",
    "ENV_CLIENT_KEY",
    "ENV_OWNER_NO",
    "ENV_TOKEN",
    "PRODUCTION_URL",
    "SANDBOX_URL",
    "ClientCore",
]

PRODUCTION_URL: Final = "https://lf-api.payex.com"
SANDBOX_URL: Final = "https://api.sandbox.payex.com"
ENV_TOKEN: Final = "PAYEX_BILLING_TOKEN"  # noqa: S105 - the name of the variable, not a secret
ENV_OWNER_NO: Final = "PAYEX_BILLING_OWNER_NO"
ENV_BASE_URL: Final = "PAYEX_BILLING_BASE_URL"
ENV_CLIENT_CERT: Final = "PAYEX_BILLING_CLIENT_CERT"
ENV_CLIENT_KEY: Final = "PAYEX_BILLING_CLIENT_KEY"
ENV_CA_BUNDLE: Final = "PAYEX_BILLING_CA_BUNDLE"
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=10.0)
DEFAULT_REQUEST_DEADLINE: Final = 60.0
"""Seconds one attempt may take, from connecting to the last byte of the body."""
DEFAULT_CALL_DEADLINE: Final = 180.0
"""Seconds one call may take, every attempt and every wait before a retry included."""
DEFAULT_TRACKING_HEADER: Final = "X-Request-Id"
DEFAULT_MAX_RETRIES: Final = 2
MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024
_TOKEN_CHARS: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")
_HEADER_VALUE: Final = re.compile(r"[\x20-\x7e]{1,1024}")
_URL_TEXT: Final = re.compile(r"[\x21-\x7e]+")

T = TypeVar("T")
M = TypeVar("M", bound=GeneratedModel)
E = TypeVar("E", bound=ExactStruct)
H = TypeVar("H", httpx.Client, httpx.AsyncClient)
Timeout = float | httpx.Timeout | None


def new_tracking_id() -> str:
    """A fresh id for the tracking header."""
    import uuid  # noqa: PLC0415 - on the first call: its import (and platform's) would cost every `import` of the package

    return str(uuid.uuid4())


class BearerToken(httpx.Auth):
    """Adds `Authorization: Bearer <token>`; its repr never shows the token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "BearerToken(<redacted>)"


class SendRequest(NamedTuple):
    """Step of an exchange: send this request."""

    method: str
    url: str
    headers: dict[str, str]
    timeout: httpx.Timeout
    deadline: float
    """`time.monotonic()` by which the attempt must have read the last byte."""
    log_url: str
    """The URL with the route template instead of the ids, for httpx's request log line."""


class Sleep(NamedTuple):
    """Step of an exchange: wait before the next attempt."""

    seconds: float


class Received(NamedTuple):
    """A whole response: status, headers and the decoded body."""

    status_code: int
    headers: httpx.Headers
    content: bytes


Step = SendRequest | Sleep
Unreadable = ResponseTooLargeError | UndecodableBodyError
Outcome = Received | httpx.HTTPError | Unreadable | None
Exchange = Generator[Step, Outcome, T]


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _secret_or_env(value: object, variable: str, what: str) -> object:
    resolved = value if value is not None else os.environ.get(variable)
    if resolved is None or resolved == "":
        raise ClientConfigurationError(f"{what} is required: pass it, or set {variable}")
    return resolved


def _ssl_context(
    client_cert: str | os.PathLike[str] | None,
    client_key: str | os.PathLike[str] | None,
    ca_bundle: str | os.PathLike[str] | None,
    ssl_context: ssl.SSLContext | None,
) -> ssl.SSLContext | None:
    """The TLS context: the caller's, or one (TLS 1.2 or newer) with the client certificate and CA bundle given."""
    for name, path in (("client_cert", client_cert), ("client_key", client_key), ("ca_bundle", ca_bundle)):
        check_optional_path(name, path)
    if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
        raise ClientConfigurationError(f"ssl_context must be an ssl.SSLContext, not a {type(ssl_context).__name__}")
    if ssl_context is not None:
        if client_cert or client_key or ca_bundle:
            raise ClientConfigurationError("pass either ssl_context or client_cert/client_key/ca_bundle, not both")
        return ssl_context
    cert = client_cert or os.environ.get(ENV_CLIENT_CERT)
    key = client_key or os.environ.get(ENV_CLIENT_KEY)
    cafile = ca_bundle or os.environ.get(ENV_CA_BUNDLE)
    if key and not cert:
        raise ClientConfigurationError("client_key was given without client_cert")
    if not cert and not cafile:
        return None
    try:
        context = ssl.create_default_context(cafile=Path(cafile) if cafile else None)
    except (OSError, ssl.SSLError) as error:
        raise ClientConfigurationError(f"cannot load the CA bundle {Path(str(cafile)).name}: {error}") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert:
        try:
            context.load_cert_chain(Path(cert), Path(key) if key else None)
        except (OSError, ssl.SSLError) as error:
            raise ClientConfigurationError(f"cannot load the client certificate {Path(cert).name}: {error}") from None
    return context


def _as_timeout(timeout: Timeout, default: httpx.Timeout) -> httpx.Timeout:
    return default if timeout is None else check_timeout("timeout", timeout)


def _within(timeout: httpx.Timeout, seconds: float) -> httpx.Timeout:
    """`timeout` with no part longer than `seconds`."""
    parts = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    connect, read, write, pool = (seconds if part is None else min(part, seconds) for part in parts)
    return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)


class ClientCore:
    """Settings and the exchange logic of one client; owns no connection."""

    def __init__(
        self,
        *,
        owner_no: str | None,
        token: str | None,
        base_url: str | None,
        timeout: Timeout,
        max_retries: int | None,
        retry_policy: RetryPolicy | None,
        tracking_header: str | None,
        tracking_id_factory: Callable[[], str],
        allow_insecure_http: bool,
        max_response_bytes: int,
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        call_deadline: float = DEFAULT_CALL_DEADLINE,
        trust_env: bool = False,
    ) -> None:
        self.owner_no = validate_segment("owner_no", _secret_or_env(owner_no, ENV_OWNER_NO, "owner_no"))
        secret = check_token(_secret_or_env(token, ENV_TOKEN, "token"))
        self.auth = BearerToken(secret)
        self.redact = Redactor(secret)
        self.base_url = self._check_base_url(
            base_url or os.environ.get(ENV_BASE_URL) or PRODUCTION_URL,
            check_bool("allow_insecure_http", allow_insecure_http),
        )
        self._url_prefix = str(self.base_url)
        self.timeout = _as_timeout(timeout, DEFAULT_TIMEOUT)
        self.request_deadline = check_seconds("request_deadline", request_deadline)
        self.call_deadline = check_seconds("call_deadline", call_deadline)
        self.trust_env = check_bool("trust_env", trust_env) and self.base_url.scheme == "https"
        if retry_policy is not None and max_retries is not None:
            raise ClientConfigurationError("pass either max_retries or retry_policy, not both")
        if retry_policy is not None and not isinstance(retry_policy, RetryPolicy):
            raise ClientConfigurationError(f"retry_policy must be a RetryPolicy, not a {type(retry_policy).__name__}")
        self.retry = retry_policy or RetryPolicy(
            max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max_retries
        )
        if tracking_header is not None and not (
            isinstance(tracking_header, str) and _TOKEN_CHARS.fullmatch(tracking_header)
        ):
            raise ClientConfigurationError(f"tracking_header {str(tracking_header)[:60]!r} is not a valid header name")
        if not callable(tracking_id_factory):
            raise ClientConfigurationError("tracking_id_factory must be callable")
        self.tracking_header = tracking_header
        self.tracking_id_factory = tracking_id_factory
        self.max_response_bytes = check_count(
            "max_response_bytes", max_response_bytes, minimum=1, maximum=MAX_RESPONSE_BYTES * 64
        )

    @staticmethod
    def _check_base_url(base_url: object, allow_insecure_http: bool) -> httpx.URL:
        if not isinstance(base_url, str):
            raise ClientConfigurationError(f"base_url must be a str, not a {type(base_url).__name__}")
        if not _URL_TEXT.fullmatch(base_url):
            raise ClientConfigurationError("base_url must be printable ASCII without spaces")
        if "?" in base_url or "#" in base_url or "@" in base_url:
            raise ClientConfigurationError(
                "base_url must not carry credentials, a query or a fragment (not even empty)"
            )
        try:
            url = httpx.URL(base_url)
        except (httpx.InvalidURL, ValueError, TypeError) as error:
            raise ClientConfigurationError(f"base_url is not a valid URL: {escape(str(error), 100)}") from None
        if url.scheme not in {"http", "https"} or not url.host:
            raise ClientConfigurationError("base_url must be an absolute http(s) URL")
        if url.port is not None and not 0 < url.port < 65536:
            raise ClientConfigurationError(f"base_url has no valid port: {url.port}")
        if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
            raise ClientConfigurationError(
                f"refusing plain http:// to {url.host}: the token would travel unencrypted "
                "(pass allow_insecure_http=True to override)"
            )
        return url.copy_with(raw_path=url.raw_path.rstrip(b"/"))

    def build_http_client_args(
        self,
        client_cert: str | os.PathLike[str] | None,
        client_key: str | os.PathLike[str] | None,
        ca_bundle: str | os.PathLike[str] | None,
        ssl_context: ssl.SSLContext | None,
    ) -> dict[str, Any]:
        """Keyword arguments for the httpx client this core's owner creates."""
        context = _ssl_context(client_cert, client_key, ca_bundle, ssl_context)
        return {
            "timeout": self.timeout,
            "follow_redirects": False,
            "trust_env": self.trust_env,
            **({"verify": context} if context else {}),
        }

    def open_http(self, factory: Callable[..., H], args: Mapping[str, Any]) -> H:
        """The httpx client this core's owner uses; a proxy setting of the environment that cannot work is refused."""
        try:
            return factory(**args)
        except (ValueError, ImportError, TypeError, httpx.InvalidURL) as error:
            where = (
                "the proxy settings of the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY)" if self.trust_env else "it"
            )
            raise ClientConfigurationError(
                f"cannot build the HTTP client from {where}: {type(error).__name__}"
            ) from None

    def check_http_client(self, http_client: httpx.Client | httpx.AsyncClient) -> None:
        """Refuse a passed-in client that would send this plain-http base URL, token and all, through a proxy."""
        if self.base_url.scheme != "http":
            return
        import httpcore  # noqa: PLC0415 - loaded by the client passed in; `import payex_billing_invoice` need not

        proxy_pools = (httpcore.HTTPProxy, httpcore.AsyncHTTPProxy, httpcore.SOCKSProxy, httpcore.AsyncSOCKSProxy)
        transport_for_url = getattr(http_client, "_transport_for_url", None)
        transport = transport_for_url(self.base_url) if transport_for_url is not None else None
        if isinstance(getattr(transport, "_pool", None), proxy_pools):
            raise ClientConfigurationError(
                "the http_client passed would send the token through a proxy over plain http: "
                "give it trust_env=False or no proxy for this base_url"
            )

    def __repr__(self) -> str:
        return f"owner_no={self.owner_no!r}, base_url={self._url_prefix!r}"

    def call(
        self, endpoint: Endpoint[M, E], segments: Mapping[str, str], timeout: Timeout, extra: ExtraHeaders | None = None
    ) -> Exchange[M]:
        """The exchange for one operation, returning the generated attrs model."""
        path = self._path(endpoint, segments)
        return self._exchange(endpoint, path, timeout, partial(_decode_model, endpoint, self.redact), extra)

    def call_exact(
        self, endpoint: Endpoint[M, E], segments: Mapping[str, str], timeout: Timeout, extra: ExtraHeaders | None = None
    ) -> Exchange[E]:
        """The exchange for one operation, returning the exact model (exact `Decimal` money)."""
        path = self._path(endpoint, segments)
        return self._exchange(endpoint, path, timeout, partial(_decode_exact, endpoint, self.redact), extra)

    def call_raw(
        self, endpoint: Endpoint[M, E], segments: Mapping[str, str], timeout: Timeout, extra: ExtraHeaders | None = None
    ) -> Exchange[Received]:
        """The exchange for one operation, returning the 2xx response undecoded."""
        return self._exchange(endpoint, self._path(endpoint, segments), timeout, _undecoded, extra)

    def follow_endpoint(self, link: str) -> tuple[Endpoint[LinkedModel, LinkedExactModel], dict[str, str]]:
        """The operation and segments a hypermedia link addresses, refused unless it is this client's host and owner."""
        parsed = parse_link(link)
        if parsed.host is not None and (
            parsed.scheme != self.base_url.scheme
            or parsed.host != self.base_url.host
            or (parsed.port or _DEFAULT_PORTS[parsed.scheme]) != (self.base_url.port or _DEFAULT_PORTS[parsed.scheme])
        ):
            raise InvalidRouteError(f"refusing to follow a link to another host than {self.base_url.host}")
        if parsed.owner_no != self.owner_no:
            raise InvalidRouteError("refusing to follow a link to another owner than this client's")
        if parsed.operation_id is None:
            raise InvalidRouteError("the link is not an operation of the Billing Invoice API")
        return ENDPOINTS[parsed.operation_id], parsed.arguments

    def _path(self, endpoint: Endpoint[M, E], segments: Mapping[str, str]) -> str:
        values = {name: validate_segment(name, segments[name]) for name in endpoint.parameters}
        path: str = endpoint.request_kwargs(owner_no=self.owner_no, **values)["url"]
        return path

    def _exchange(
        self,
        endpoint: Endpoint[M, E],
        path: str,
        timeout: Timeout,
        decode: Callable[[Received], T],
        extra_headers: ExtraHeaders | None = None,
    ) -> Exchange[T]:
        call_ends = time.monotonic() + self.call_deadline
        template = ROUTE_TEMPLATES[endpoint.operation_id]
        headers = {"Accept": "application/json, application/problem+json", "Accept-Encoding": ACCEPT_ENCODING}
        request_id = None
        if self.tracking_header:
            request_id = self.tracking_id_factory()
            if not isinstance(request_id, str) or not _HEADER_VALUE.fullmatch(request_id):
                raise ClientConfigurationError("tracking_id_factory must return printable ASCII without line breaks")
            headers[self.tracking_header] = request_id
        merge_extra_headers(headers, extra_headers, self.tracking_header)
        per_operation = _as_timeout(timeout, self.timeout)
        url, log_url = self._url_prefix + path, self._url_prefix + template
        retries = 0
        while True:
            started = time.monotonic()
            deadline = min(call_ends, started + self.request_deadline)
            outcome = yield SendRequest(
                "GET", url, headers, _within(per_operation, deadline - started), deadline, log_url
            )
            elapsed_ms = (time.monotonic() - started) * 1000.0
            if isinstance(outcome, httpx.TimeoutException) and time.monotonic() >= deadline:
                ends_call = deadline == call_ends
                name, seconds = ("call", self.call_deadline) if ends_call else ("request", self.request_deadline)
                outcome = httpx.TimeoutException(f"the {name}_deadline of {seconds:g} s passed")
            error = self._error_of(outcome, endpoint.operation_id, template, request_id)
            status = outcome.status_code if isinstance(outcome, Received | Unreadable) else None
            _log_attempt(template, status, elapsed_ms, retries + 1, error)
            if error is None and isinstance(outcome, Received):
                return decode(outcome)
            if error is None or not _is_retryable(self.retry, retries, error):
                raise error or ApiConnectionError("no response", request_id=request_id)
            delay = self.retry.delay(retries, _headers_of(outcome))
            if time.monotonic() + delay >= call_ends:
                raise error  # the next attempt could not start before the call's deadline
            logger.info(
                "retrying GET %s in %.2f s after %s (attempt %d of %d)",
                template,
                delay,
                status or type(error).__name__,
                retries + 2,
                self.retry.max_retries + 1,
                extra={"payex_route": template, "payex_attempt": retries + 2, "payex_delay": delay},
            )
            yield Sleep(delay)
            retries += 1

    def _error_of(
        self, outcome: Outcome, operation_id: str, template: str, request_id: str | None
    ) -> BillingInvoiceError | None:
        redact = self.redact
        if isinstance(outcome, Received | Unreadable):
            received = isinstance(outcome, Received)
            body = outcome.content if isinstance(outcome, Received) else outcome.partial
            if not 200 <= outcome.status_code < 300:
                return error_for_response(
                    status_code=outcome.status_code,
                    headers=outcome.headers,
                    body=body,
                    request_id=request_id,
                    redact=redact,
                )
            if received:
                return None
            return ResponseValidationError(
                status_code=outcome.status_code,
                body=body,
                errors=(str(outcome),),
                operation_id=operation_id,
                redact=redact,
            )
        reason = _transport_reason(outcome)
        error: ApiConnectionError
        if isinstance(outcome, httpx.TimeoutException):
            error = ApiTimeoutError(f"GET {template} timed out ({reason})", request_id=request_id, redact=redact)
        else:
            error = ApiConnectionError(f"GET {template} failed: {reason}", request_id=request_id, redact=redact)
        error.__cause__ = _scrubbed(outcome, redact)
        return error


_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def _headers_of(outcome: Outcome) -> httpx.Headers | None:
    return outcome.headers if isinstance(outcome, Received | Unreadable) else None


def _scrubbed(error: httpx.HTTPError | None, redact: Redactor) -> httpx.HTTPError | None:
    """A copy of httpx's exception to chain: its class and scrubbed message, without the request (whose headers
    hold the token), the traceback (whose frames do) or httpcore's exceptions."""
    if error is None:
        return None
    try:
        return type(error)(redact(str(error)))
    except TypeError:
        return None


def _is_retryable(policy: RetryPolicy, retries_done: int, error: BillingInvoiceError) -> bool:
    """Connection errors and the retryable statuses are retried while attempts remain; nothing else is."""
    if isinstance(error, ApiStatusError):
        return policy.should_retry(retries_done, error.status_code)
    return isinstance(error, ApiConnectionError) and policy.should_retry(retries_done, None)


def _transport_reason(error: httpx.HTTPError | None) -> str:
    """The exception's class and message on one short line (httpx messages carry no request headers)."""
    if error is None:
        return "no response"
    detail = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


def _log_attempt(
    template: str, status: int | None, elapsed_ms: float, attempt: int, error: BillingInvoiceError | None
) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
    instance = escape(error.instance, 100) if isinstance(error, ApiStatusError) and error.instance else None
    logger.debug(
        "GET %s -> %s in %.1f ms (attempt %d%s)",
        template,
        status if status is not None else type(error).__name__,
        elapsed_ms,
        attempt,
        f", problem instance {instance}" if instance else "",
        extra={
            "payex_method": "GET",
            "payex_route": template,
            "payex_status": status,
            "payex_duration_ms": round(elapsed_ms, 1),
            "payex_attempt": attempt,
            "payex_problem_instance": instance,
        },
    )


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _json_content(endpoint: Endpoint[M, E], redact: Redactor, response: Received) -> bytes:
    content_type = response.headers.get("content-type", "")
    if not _is_json(content_type):
        reason = f"expected an application/json body, got {escape(content_type, 60)!r}"
        raise _invalid(endpoint, response, reason, redact)
    return response.content


def _mismatch(
    endpoint: Endpoint[M, E], redact: Redactor, response: Received, error: _decode.DecodeError
) -> ResponseValidationError:
    detail = _decode.explain(endpoint.exact_model, response.content)
    if detail is None:
        return _invalid(endpoint, response, str(error)[:300], redact)
    return ResponseValidationError.from_validation_error(
        detail,
        status_code=response.status_code,
        body=response.content,
        operation_id=endpoint.operation_id,
        redact=redact,
    )


def _undecoded(response: Received) -> Received:
    return response


def _decode_exact(endpoint: Endpoint[M, E], redact: Redactor, response: Received) -> E:
    try:
        return _decode.decode_exact(endpoint.exact_model, _json_content(endpoint, redact, response))
    except _decode.DecodeError as error:
        raise _mismatch(endpoint, redact, response, error) from None


def _decode_model(endpoint: Endpoint[M, E], redact: Redactor, response: Received) -> M:
    content = _json_content(endpoint, redact, response)
    try:
        return _decode.decode_model(endpoint.model, endpoint.exact_model, content)
    except _decode.DecodeError as error:
        raise _mismatch(endpoint, redact, response, error) from None
    except (KeyError, ValueError, TypeError, AttributeError, RecursionError) as error:
        reason = f"the body does not fit the generated model: {type(error).__name__}"
        raise _invalid(endpoint, response, reason, redact) from None


def _invalid(endpoint: Endpoint[M, E], response: Received, reason: str, redact: Redactor) -> ResponseValidationError:
    return ResponseValidationError(
        status_code=response.status_code,
        body=response.content,
        errors=(reason,),
        operation_id=endpoint.operation_id,
        redact=redact,
    )
