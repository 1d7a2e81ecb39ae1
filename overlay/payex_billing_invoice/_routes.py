"""Route segments of the PayEx Billing APIs: build the paths of this API and parse the links of any of them.

Every PayEx Billing route has the form
``/billing/{subdomain}/v1/{ownerNo}/resource1/{id1}/resource2/{id2}/resource3/{id3}``; this API's
subdomain is ``invoice``, its siblings use ``customer`` and ``usage``. Identifiers are opaque strings:
each one is percent-encoded with ``quote(value, safe="")``, exactly as the generated client does, so it
always stays one path segment, whatever it contains.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv6Address
from types import MappingProxyType
from typing import Final, NamedTuple
from urllib.parse import quote, unquote

from ._exceptions import InvalidRouteError

__all__ = [
    "MAX_LINK_LENGTH",
    "MAX_SEGMENT_LENGTH",
    "OPERATIONS",
    "ROUTE_TEMPLATES",
    "Operation",
    "ParsedLink",
    "Resource",
    "build_path",
    "encode_segment",
    "parse_link",
    "validate_segment",
]

MAX_SEGMENT_LENGTH: Final = 256
"""Most characters (code points) a route segment value may have."""

MAX_LINK_LENGTH: Final = 16_384
"""Most characters a link may have; the longest path ``build_path`` can produce is far shorter."""

_MAX_RESOURCE_DEPTH: Final = 3
_PREVIEW_LENGTH: Final = 32
_INVOICE_SUBDOMAIN: Final = "invoice"
_SCHEMES: Final = frozenset({"http", "https"})
_DOT_SEGMENTS: Final = frozenset({".", ".."})

# C0 controls, DEL, C1 controls and surrogates (in a str, a surrogate can never be encoded to UTF-8).
_FORBIDDEN_CHARACTER: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_MALFORMED_ESCAPE: Final = re.compile("%(?![0-9A-Fa-f]{2})")
_NAME: Final = re.compile("[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")
_SCHEME_AND_REST: Final = re.compile("([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)
_AUTHORITY: Final = re.compile(
    r"(?:\[(?P<ip_literal>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?))(?::(?P<port>[0-9]{1,5}))?"
)


def _preview(value: str) -> str:
    """A short, repr-escaped prefix of ``value`` that is safe to put in an error message."""
    if len(value) <= _PREVIEW_LENGTH:
        return repr(value)
    return f"{value[:_PREVIEW_LENGTH]!r}..."


def validate_segment(name: str, value: object) -> str:
    """Return ``value`` as a plain ``str`` if it can be a route segment; raise ``InvalidRouteError`` if not.

    Refused: non-strings, the empty string, the dot-segments ``.`` and ``..``, values longer than
    ``MAX_SEGMENT_LENGTH``, control characters (C0, DEL, C1) and lone surrogates. Everything else is
    allowed, ``/``, ``?``, ``#``, ``%``, ``\\``, spaces and non-ASCII included: encoding keeps it one segment.
    """
    if not isinstance(value, str):
        raise InvalidRouteError(f"{name} must be a str, not {type(value).__name__}")
    if type(value) is not str:
        value = str.__str__(value)
    if not value:
        raise InvalidRouteError(f"{name} must not be empty")
    if len(value) > MAX_SEGMENT_LENGTH:
        raise InvalidRouteError(
            f"{name} must have at most {MAX_SEGMENT_LENGTH} characters, got {len(value)}: {_preview(value)}"
        )
    if value in _DOT_SEGMENTS:
        raise InvalidRouteError(f"{name} must not be the dot-segment {value!r}")
    forbidden = _FORBIDDEN_CHARACTER.search(value)
    if forbidden is not None:
        character = forbidden.group()
        reason = "a lone surrogate (not UTF-8 encodable)" if character >= "\ud800" else "a control character"
        raise InvalidRouteError(f"{name} must not contain {reason} ({character!r}): {_preview(value)}")
    return value


def encode_segment(name: str, value: object) -> str:
    """Validate ``value`` and percent-encode it as one path segment, like the generated client."""
    return quote(validate_segment(name, value), safe="")


class Resource(NamedTuple):
    """One step of a route's resource chain: a collection, and the id of one of its members if addressed."""

    collection: str
    id: str | None


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the Billing Invoice API."""

    operation_id: str
    """The spec's ``operationId``, e.g. ``getInvoice``."""
    path_template: str
    """The path exactly as the spec writes it, e.g. ``/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}``."""
    parameters: tuple[str, ...]
    """The path parameters, as the spec names them, in route order."""
    method: str = "GET"

    @property
    def arguments(self) -> tuple[str, ...]:
        """The keyword arguments of ``build_path`` and of the generated client, in route order."""
        return tuple(_ARGUMENTS[parameter] for parameter in self.parameters)


_ARGUMENTS: Final[Mapping[str, str]] = MappingProxyType(
    {"ownerNo": "owner_no", "invoiceNo": "invoice_no", "subscriptionNo": "subscription_no"}
)
_INVOICES: Final = "/billing/invoice/v1/{ownerNo}/invoices"
_INVOICE: Final = _INVOICES + "/{invoiceNo}"
_SUBSCRIPTION: Final = _INVOICE + "/subscriptions/{subscriptionNo}"

OPERATIONS: Final[Mapping[str, Operation]] = MappingProxyType(
    {
        operation.operation_id: operation
        for operation in (
            Operation("listInvoices", _INVOICES, ("ownerNo",)),
            Operation("getInvoice", _INVOICE, ("ownerNo", "invoiceNo")),
            Operation("listInvoiceRecurringProducts", _INVOICE + "/recurring-products", ("ownerNo", "invoiceNo")),
            Operation("listInvoiceSubscriptions", _INVOICE + "/subscriptions", ("ownerNo", "invoiceNo")),
            Operation("getInvoiceSubscription", _SUBSCRIPTION, ("ownerNo", "invoiceNo", "subscriptionNo")),
            Operation(
                "listSubscriptionRecurringProducts",
                _SUBSCRIPTION + "/recurring-products",
                ("ownerNo", "invoiceNo", "subscriptionNo"),
            ),
        )
    }
)
"""The operations of this API by ``operationId``."""

ROUTE_TEMPLATES: Final[Mapping[str, str]] = MappingProxyType(
    {operation_id: operation.path_template for operation_id, operation in OPERATIONS.items()}
)
"""The path template of each operation by ``operationId``."""

_Shape = tuple[tuple[str, bool], ...]


def _shape(chain: list[str]) -> _Shape:
    """The shape of a resource chain (the segments after ``ownerNo``): (collection, whether an id follows)."""
    return tuple((chain[index], index + 1 < len(chain)) for index in range(0, len(chain), 2))


_OPERATION_BY_SHAPE: Final[Mapping[_Shape, Operation]] = MappingProxyType(
    {_shape(operation.path_template.split("/")[5:]): operation for operation in OPERATIONS.values()}
)


def build_path(
    operation_id: str,
    *,
    owner_no: str,
    invoice_no: str | None = None,
    subscription_no: str | None = None,
) -> str:
    """The path of ``operation_id`` with every segment validated and percent-encoded.

    Pass exactly the segments the operation takes; the result is byte-for-byte the path the generated
    client requests for the same values.
    """
    operation = OPERATIONS.get(operation_id) if isinstance(operation_id, str) else None
    if operation is None:
        shown = _preview(operation_id) if isinstance(operation_id, str) else type(operation_id).__name__
        raise InvalidRouteError(f"unknown operation {shown}; expected one of {list(OPERATIONS)}")
    encoded: dict[str, str] = {}
    for parameter, value in (("ownerNo", owner_no), ("invoiceNo", invoice_no), ("subscriptionNo", subscription_no)):
        argument = _ARGUMENTS[parameter]
        if parameter in operation.parameters:
            if value is None:
                raise InvalidRouteError(f"{operation_id} needs {argument}")
            encoded[parameter] = encode_segment(argument, value)
        elif value is not None:
            raise InvalidRouteError(f"{operation_id} takes no {argument}")
    return operation.path_template.format_map(encoded)


def _id_name(operation: Operation | None, depth: int) -> str:
    """The name of the id at ``depth`` (0-based) of the resource chain: the spec's, else the route table's."""
    return f"resource{depth + 1}Id" if operation is None else operation.parameters[depth + 1]


@dataclass(frozen=True, slots=True)
class ParsedLink:
    """A link of a PayEx Billing API, split into its parts; ids are percent-decoded."""

    scheme: str | None
    """``http`` or ``https`` (lower case) for an absolute URL, ``None`` for a path."""
    host: str | None
    """The host in lower case, without the brackets of an IPv6 literal; ``None`` for a path."""
    port: int | None
    """The explicit port of an absolute URL, else ``None``."""
    subdomain: str
    """The API: ``invoice`` for this one, ``customer`` or ``usage`` for its siblings."""
    owner_no: str
    resources: tuple[Resource, ...]
    """The resource chain after ``ownerNo``, e.g. ``(Resource("invoices", "603010"),)``."""
    operation_id: str | None
    """The operation of this API the link addresses; ``None`` for sibling APIs and unknown shapes."""

    @property
    def params(self) -> dict[str, str]:
        """The decoded path parameters.

        Named as in the spec (``ownerNo``, ``invoiceNo``, ``subscriptionNo``) when ``operation_id`` is
        known, else as in the documented route table (``ownerNo``, ``resource1Id``, ``resource2Id``, ...).
        """
        operation = None if self.operation_id is None else OPERATIONS[self.operation_id]
        params = {"ownerNo": self.owner_no}
        for depth, resource in enumerate(self.resources):
            if resource.id is not None:
                params[_id_name(operation, depth)] = resource.id
        return params

    @property
    def arguments(self) -> dict[str, str]:
        """Keyword arguments for ``build_path`` and the generated client; empty unless ``operation_id`` is known."""
        if self.operation_id is None:
            return {}
        return {_ARGUMENTS[name]: value for name, value in self.params.items()}


def _refuse(link: str, reason: str) -> InvalidRouteError:
    return InvalidRouteError(f"invalid link {_preview(link)}: {reason}")


def _decode(link: str, name: str, raw: str) -> str:
    """Percent-decode one id segment of ``link`` and validate the result."""
    if "%" in raw:
        if _MALFORMED_ESCAPE.search(raw) is not None:
            raise _refuse(link, f"malformed percent-escape in {name}")
        try:
            raw = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            raise _refuse(link, f"{name} is not percent-encoded UTF-8") from None
    try:
        return validate_segment(name, raw)
    except InvalidRouteError as error:
        raise _refuse(link, str(error)) from None


def _split_absolute(link: str) -> tuple[str, str, int | None, str]:
    """Split an absolute URL into scheme, host, port and path."""
    match = _SCHEME_AND_REST.fullmatch(link)
    if match is None:
        raise _refuse(link, "expected a path starting with '/' or an http(s) URL")
    scheme, rest = match.group(1).lower(), match.group(2)
    if scheme not in _SCHEMES:
        raise _refuse(link, f"scheme {_preview(scheme)} is not http or https")
    if not rest.startswith("//"):
        raise _refuse(link, "an absolute URL needs a host")
    slash = rest.find("/", 2)
    authority, path = (rest[2:], "") if slash == -1 else (rest[2:slash], rest[slash:])
    if "@" in authority:
        raise _refuse(link, "userinfo is not allowed")
    authority_match = _AUTHORITY.fullmatch(authority)
    if authority_match is None:
        raise _refuse(link, "malformed host or port")
    ip_literal, name, port_text = authority_match.group("ip_literal", "name", "port")
    if ip_literal is not None:
        try:
            IPv6Address(ip_literal)
        except ValueError:
            raise _refuse(link, "malformed IPv6 address") from None
        host = ip_literal.lower()
    else:
        host = name.lower()
    port = None if port_text is None else int(port_text)
    if port is not None and not 0 < port < 65536:
        raise _refuse(link, f"port {port} is out of range")
    return scheme, host, port, path


def parse_link(link: str) -> ParsedLink:
    """Parse a link of a PayEx Billing API: a path such as ``/billing/invoice/v1/xxx/invoices/603010``, or
    an absolute http(s) URL with such a path.

    Raises ``InvalidRouteError`` if it is not of the form ``/billing/{subdomain}/v1/{ownerNo}/...``, has a
    query, fragment, userinfo, empty segment, backslash or malformed percent-escape, or if an id decodes
    to a value ``validate_segment`` refuses.
    """
    if not isinstance(link, str):
        raise InvalidRouteError(f"a link must be a str, not {type(link).__name__}")
    if len(link) > MAX_LINK_LENGTH:
        raise _refuse(link, f"longer than {MAX_LINK_LENGTH} characters")
    if "\\" in link:
        raise _refuse(link, "backslashes are not allowed")
    if "?" in link or "#" in link:
        raise _refuse(link, "a query or fragment is not allowed")
    scheme: str | None = None
    host: str | None = None
    port: int | None = None
    if link.startswith("/"):
        if link.startswith("//"):
            raise _refuse(link, "a network-path reference ('//host') needs a scheme")
        path = link
    else:
        scheme, host, port, path = _split_absolute(link)
    segments = path.split("/")
    if "" in segments[1:]:
        raise _refuse(link, "empty path segment")
    chain = segments[5:]
    if (
        len(segments) < 6
        or len(chain) > 2 * _MAX_RESOURCE_DEPTH
        or segments[1] != "billing"
        or segments[3] != "v1"
        or _NAME.fullmatch(segments[2]) is None
        or any(_NAME.fullmatch(collection) is None for collection in chain[::2])
    ):
        raise _refuse(link, "expected /billing/{subdomain}/v1/{ownerNo}/{collection}[/{id}]...")
    subdomain = segments[2]
    shape = _shape(chain)
    operation = _OPERATION_BY_SHAPE.get(shape) if subdomain == _INVOICE_SUBDOMAIN else None
    owner_no = _decode(link, "ownerNo", segments[4])
    resources = tuple(
        Resource(collection, _decode(link, _id_name(operation, depth), chain[2 * depth + 1]) if has_id else None)
        for depth, (collection, has_id) in enumerate(shape)
    )
    return ParsedLink(
        scheme=scheme,
        host=host,
        port=port,
        subdomain=subdomain,
        owner_no=owner_no,
        resources=resources,
        operation_id=None if operation is None else operation.operation_id,
    )
