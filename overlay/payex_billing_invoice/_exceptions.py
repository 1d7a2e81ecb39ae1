"""The exception hierarchy of the client and the mapping of error responses onto it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from functools import partial
from http import HTTPStatus
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from ._problems import ProblemDetails, decode_text, parse_problem

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "BODY_LIMIT",
    "PROBLEM_TYPES",
    "ApiConnectionError",
    "ApiStatusError",
    "ApiTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BillingInvoiceError",
    "ClientConfigurationError",
    "ClientStateError",
    "ConflictError",
    "CustomerNotFound",
    "InvalidRouteError",
    "InvoiceNotFound",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "ServerError",
    "SubscriptionNotFound",
    "UnprocessableEntityError",
    "ValidationProblem",
    "error_for_response",
]

BODY_LIMIT = 64 * 1024
"""How much of a response body an exception keeps (bytes before decoding, characters after)."""

_REDACTED = "[redacted]"
_SECRET_HEADERS = frozenset({b"authorization", b"proxy-authorization", b"cookie", b"set-cookie"})
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]{16,}=*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_SPACE = re.compile(r"\s+")

Redact = Callable[[str], str]
"""Replaces the configured secrets in a text; every server-supplied text passes through it before it is kept."""


def _keep(text: str) -> str:
    return text


class BillingInvoiceError(Exception):
    """Base class of every error the client raises."""


class InvalidRouteError(BillingInvoiceError, ValueError):
    """A route segment or link that can never be valid; raised before any request is sent."""


class ClientConfigurationError(BillingInvoiceError, ValueError):
    """The client was configured with missing or invalid options; raised before any request is sent."""


class ClientStateError(BillingInvoiceError, RuntimeError):
    """The client cannot be used now: it was closed, or (async) it belongs to another event loop."""


class ApiConnectionError(BillingInvoiceError):
    """The API could not be reached, or the connection broke before a whole response arrived."""

    request_id: str | None
    """The tracking id the client sent with the request."""

    def __init__(
        self,
        message: str = "Could not connect to the PayEx API.",
        *,
        request_id: str | None = None,
        redact: Redact = _keep,
    ) -> None:
        self.request_id = request_id
        message = redact(message)
        super().__init__(f"{message} (request {_clean(request_id, 100)})" if request_id else message)


class ApiTimeoutError(ApiConnectionError):
    """The request timed out: a socket operation, the attempt's deadline or the call's deadline."""

    def __init__(
        self,
        message: str = "The request to the PayEx API timed out.",
        *,
        request_id: str | None = None,
        redact: Redact = _keep,
    ) -> None:
        super().__init__(message, request_id=request_id, redact=redact)


class ApiStatusError(BillingInvoiceError):
    """The API answered with an error status (4xx or 5xx)."""

    problem_code: ClassVar[str | None] = None
    """The documented problem code this class stands for (on the problem-type classes)."""
    problem_status: ClassVar[int | None] = None
    problem_type: ClassVar[str | None] = None

    status_code: int
    headers: httpx.Headers
    """The response headers, with credentials and cookies redacted."""
    problem: ProblemDetails | None
    body: str
    request_id: str | None
    """The tracking id the client sent with the request."""

    def __init__(
        self,
        status_code: int,
        *,
        headers: Mapping[str, str] | None = None,
        body: str | bytes = "",
        problem: ProblemDetails | None = None,
        request_id: str | None = None,
        redact: Redact = _keep,
    ) -> None:
        self.status_code = status_code
        self.headers = _redact(headers or {}, redact)
        self.body = _body_text(body, self.headers.get("content-type"), redact)
        self.problem = _redact_problem(problem, redact) if problem is not None else None
        self.request_id = request_id
        super().__init__(self._describe())

    @property
    def code(self) -> str | None:
        """The problem code, e.g. ``invoice-not-found``."""
        return self.problem.code if self.problem else None

    @property
    def instance(self) -> str | None:
        """The problem instance id, the id PayEx support asks for."""
        return self.problem.instance if self.problem else None

    def __repr__(self) -> str:
        instance = _clean(self.instance, 100) if self.instance else None
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, code={self.code!r}, "
            f"instance={instance!r}, request_id={self.request_id!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        rebuild = partial(
            type(self),
            self.status_code,
            headers=self.headers,
            body=self.body,
            problem=self.problem,
            request_id=self.request_id,
        )
        return rebuild, (), self.__dict__

    def _describe(self) -> str:
        line = f"HTTP {self.status_code} {self.code or _reason(self.status_code)}"
        summary = _summarize(self.problem) or _body_hint(self.body, self.headers.get("content-type"))
        if summary:
            line += f": {summary}"
        ids = ", ".join(
            f"{name} {_clean(value, 100)}"
            for name, value in (("instance", self.instance), ("request", self.request_id))
            if value
        )
        return f"{line} ({ids})" if ids else line


class BadRequestError(ApiStatusError):
    """400: the request was invalid."""


class AuthenticationError(ApiStatusError):
    """401: the token is missing, expired or invalid, or the ledger number does not match it."""


class PermissionDeniedError(ApiStatusError):
    """403: the token may not do this."""


class NotFoundError(ApiStatusError):
    """404: the resource does not exist."""


class ConflictError(ApiStatusError):
    """409: the request conflicts with the state of the resource."""


class UnprocessableEntityError(ApiStatusError):
    """422: the request was well-formed but could not be processed."""


class RateLimitError(ApiStatusError):
    """429: too many requests."""


class ServerError(ApiStatusError):
    """5xx: an error PayEx must fix."""


class ValidationProblem(BadRequestError):  # noqa: N818 -- named after PayEx's problem type
    """``validation``: input validation failed; ``problem.problems`` says which parameter."""

    problem_code: ClassVar[str] = "validation"
    problem_status: ClassVar[int] = 400
    problem_type: ClassVar[str] = "billing/invoice/problems/validation"


class CustomerNotFound(NotFoundError):  # noqa: N818 -- named after PayEx's problem type
    """``customer-not-found``: the customer (ledger owner) is not in PayEx Billing."""

    problem_code: ClassVar[str] = "customer-not-found"
    problem_status: ClassVar[int] = 404
    problem_type: ClassVar[str] = "billing/invoice/problems/customer-not-found"


class InvoiceNotFound(NotFoundError):  # noqa: N818 -- named after PayEx's problem type
    """``invoice-not-found``: the invoice number was not found."""

    problem_code: ClassVar[str] = "invoice-not-found"
    problem_status: ClassVar[int] = 404
    problem_type: ClassVar[str] = "billing/invoice/problems/invoice-not-found"


class SubscriptionNotFound(NotFoundError):  # noqa: N818 -- named after PayEx's problem type
    """``subscription-not-found``: the subscription is not on the selected customer."""

    problem_code: ClassVar[str] = "subscription-not-found"
    problem_status: ClassVar[int] = 404
    problem_type: ClassVar[str] = "billing/invoice/problems/subscription-not-found"


class ResponseValidationError(BillingInvoiceError):
    """A 2xx response whose body is not JSON or does not fit the spec."""

    def __init__(
        self,
        *,
        status_code: int,
        body: str | bytes,
        errors: Iterable[str],
        operation_id: str | None = None,
        redact: Redact = _keep,
    ) -> None:
        self.status_code = status_code
        self.body = _body_text(body, None, redact)
        self.errors: tuple[str, ...] = tuple(redact(error) for error in errors)
        """What did not fit, e.g. ``items.0.invoiceNo: Input should be a valid string``."""
        self.operation_id = operation_id
        super().__init__(self._describe())

    @classmethod
    def from_validation_error(
        cls,
        error: ValidationError,
        *,
        status_code: int,
        body: str | bytes,
        operation_id: str | None = None,
        redact: Redact = _keep,
    ) -> ResponseValidationError:
        """Wrap a pydantic error; the messages name the path, never the offending value.

        The strict models type every optional member as `X | MISSING`, so pydantic reports each member of that
        union; the `MISSING` alternative is left out, and the union member's tag is dropped from the path.
        """
        errors = (
            f"{_member_path(item['loc'])}: {item['msg']}" if item["loc"] else item["msg"]
            for item in error.errors(include_url=False, include_input=False, include_context=False)
            if item["type"] != "missing_sentinel_error"
        )
        return cls(status_code=status_code, body=body, errors=errors, operation_id=operation_id, redact=redact)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, operation_id={self.operation_id!r}, "
            f"errors={len(self.errors)})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        rebuild = partial(
            type(self), status_code=self.status_code, body=self.body, errors=self.errors, operation_id=self.operation_id
        )
        return rebuild, (), self.__dict__

    def _describe(self) -> str:
        line = f"{self.operation_id or 'response'}: HTTP {self.status_code} body does not fit the spec"
        if self.errors:
            line += f": {_clean(self.errors[0], 300)}"
        if len(self.errors) > 1:
            line += f" (+{len(self.errors) - 1} more)"
        return line


_UNION_TAG = re.compile(r"[a-z]+(\[.*\])?|[A-Z][A-Za-z0-9]*|function-\w+\[.*\]")


def _member_path(loc: tuple[int | str, ...]) -> str:
    """`items.0.invoiceNo` for pydantic's `("items", "list[InvoiceListItem]", 0, "invoiceNo", "str")`."""
    parts: list[str] = []
    after_member = False
    for part in loc:
        if after_member and isinstance(part, str) and _UNION_TAG.fullmatch(part):
            after_member = False
            continue
        parts.append(str(part))
        after_member = isinstance(part, str)
    return ".".join(parts)


def _register(*classes: type[ApiStatusError]) -> Mapping[str, type[ApiStatusError]]:
    return MappingProxyType({cls.problem_code: cls for cls in classes if cls.problem_code})


PROBLEM_TYPES = _register(ValidationProblem, CustomerNotFound, InvoiceNotFound, SubscriptionNotFound)
"""Documented problem code -> its exception class."""

_STATUS_CLASSES: Mapping[int, type[ApiStatusError]] = MappingProxyType(
    {
        400: BadRequestError,
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        409: ConflictError,
        422: UnprocessableEntityError,
        429: RateLimitError,
    }
)


def error_for_response(
    *,
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    request_id: str | None = None,
    redact: Redact = _keep,
) -> ApiStatusError:
    """The exception for an error response.

    A documented problem code whose documented status is the response's status gives its own class; otherwise
    the status decides: the class of a known 4xx, :class:`ServerError` for any 5xx, else :class:`ApiStatusError`.
    """
    safe_headers = _redact(headers, redact)
    problem = parse_problem(body, safe_headers.get("content-type"))
    cls = PROBLEM_TYPES.get(problem.code) if problem and problem.code else None
    if cls is None or cls.problem_status != status_code:
        cls = ServerError if 500 <= status_code <= 599 else _STATUS_CLASSES.get(status_code, ApiStatusError)
    return cls(status_code, headers=safe_headers, body=body, problem=problem, request_id=request_id, redact=redact)


def _redact(headers: Mapping[str, str], redact: Redact = _keep) -> httpx.Headers:
    """A copy with credentials and cookies redacted, and the secrets in other values; works on Latin-1, so no
    header value can fail to re-encode."""
    if isinstance(headers, httpx.Headers):
        pairs = headers.raw
    else:
        pairs = [(key.encode(errors="replace"), value.encode(errors="replace")) for key, value in headers.items()]
    redacted = _REDACTED.encode()
    return httpx.Headers(
        [
            (key, redacted if key.lower() in _SECRET_HEADERS else redact(value.decode("latin-1")).encode("latin-1"))
            for key, value in pairs
        ]
    )


def _body_text(body: str | bytes, content_type: str | None, redact: Redact = _keep) -> str:
    """The body as text, secrets replaced before it is cut to `BODY_LIMIT` (so no cut leaves part of one)."""
    margin = BODY_LIMIT + 1024
    text = body[:margin] if isinstance(body, str) else decode_text(body, content_type, limit=margin)
    return redact(text)[:BODY_LIMIT]


def _redact_json(value: Mapping[str, object], redact: Redact) -> Mapping[str, object]:
    """The JSON object with the secrets replaced in every key and string (empty if it cannot be re-encoded)."""
    try:
        redacted = json.loads(redact(json.dumps(value, ensure_ascii=False)))
    except (ValueError, TypeError, RecursionError):
        return {}
    return redacted if isinstance(redacted, dict) else {}


def _redact_problem(problem: ProblemDetails, redact: Redact) -> ProblemDetails:
    if redact is _keep:
        return problem

    def text(value: str | None) -> str | None:
        return redact(value) if value is not None else None

    return replace(
        problem,
        type=text(problem.type),
        code=text(problem.code),
        title=text(problem.title),
        detail=text(problem.detail),
        instance=text(problem.instance),
        problems={redact(path): redact(message) for path, message in problem.problems.items()},
        raw=_redact_json(problem.raw, redact),
    )


def _clean(text: str, limit: int) -> str:
    """One printable line without credentials, cut to ``limit`` characters."""
    text = "".join(char if char.isprintable() else " " for char in text[: limit * 4])
    text = _JWT.sub(_REDACTED, _BEARER.sub(rf"\1 {_REDACTED}", _SPACE.sub(" ", text).strip()))
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def _summarize(problem: ProblemDetails | None) -> str:
    if problem is None:
        return ""
    title, detail = problem.title, problem.detail
    text = title or detail or ""
    if title and detail and not detail.startswith(title.rstrip(".")):
        text = f"{title}: {detail}"
    if problem.problems:
        fields = "; ".join(f"{path}: {message}" for path, message in problem.problems.items())
        text = f"{text} [{_clean(fields, 300)}]" if text else f"[{_clean(fields, 300)}]"
    return _clean(text, 500)


def _body_hint(body: str, content_type: str | None) -> str:
    if not body.strip():
        return ""
    if "html" in (content_type or "").lower() or body.lstrip().startswith("<"):
        return f"HTML body ({len(body)} characters)"
    return _clean(body, 200)
