"""Route segments: building the paths of this API and parsing the links of the PayEx Billing APIs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from payex_billing_invoice._exceptions import InvalidRouteError
from payex_billing_invoice._routes import (
    MAX_LINK_LENGTH,
    MAX_SEGMENT_LENGTH,
    OPERATIONS,
    ROUTE_TEMPLATES,
    Operation,
    ParsedLink,
    Resource,
    build_path,
    encode_segment,
    parse_link,
    validate_segment,
)
from payex_billing_invoice_openapi.api.invoices import (
    get_invoice,
    get_invoice_subscription,
    list_invoice_recurring_products,
    list_invoice_subscriptions,
    list_invoices,
    list_subscription_recurring_products,
)
from tests._examples import resolve

SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml"

GENERATED: dict[str, ModuleType] = {
    "listInvoices": list_invoices,
    "getInvoice": get_invoice,
    "listInvoiceRecurringProducts": list_invoice_recurring_products,
    "listInvoiceSubscriptions": list_invoice_subscriptions,
    "getInvoiceSubscription": get_invoice_subscription,
    "listSubscriptionRecurringProducts": list_subscription_recurring_products,
}

BASE_URL = "https://lf-api.payex.com"


def is_valid(value: str) -> bool:
    try:
        validate_segment("value", value)
    except InvalidRouteError:
        return False
    return True


def substitute(operation: Operation, arguments: dict[str, str]) -> str:
    """The operation's template with each parameter replaced by its percent-encoded value."""
    path = operation.path_template
    for parameter, argument in zip(operation.parameters, operation.arguments, strict=True):
        path = path.replace("{" + parameter + "}", quote(arguments[argument], safe=""))
    return path


HOSTILE = ["/", "%2F", "%", "?", "#", "\\", ";", " ", "+", "é", "日本", "😀", "\u202e", "...", "a/../b", "%2E%2E", "~"]

valid_segments = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.characters()), max_size=12).map("".join),
    st.text(
        st.characters(exclude_categories=("Cc", "Cs")),
        min_size=MAX_SEGMENT_LENGTH - 2,
        max_size=MAX_SEGMENT_LENGTH,
    ),
).filter(is_valid)

operations = st.sampled_from(sorted(OPERATIONS.values(), key=lambda operation: operation.operation_id))


@st.composite
def operation_and_arguments(draw: st.DrawFn) -> tuple[Operation, dict[str, str]]:
    operation = draw(operations)
    return operation, {argument: draw(valid_segments) for argument in operation.arguments}


LINK_FRAGMENTS = [
    "/",
    "//",
    "billing",
    "invoice",
    "customer",
    "v1",
    "xxx",
    "invoices",
    "subscriptions",
    "recurring-products",
    "603010",
    "%",
    "%2F",
    "%2e",
    "%ff",
    "%C3%A9",
    "%ED%A0%80",
    "?",
    "#",
    "\\",
    "@",
    ":",
    "https://",
    "http://",
    "ftp://",
    "[::1]",
    "[zz]",
    "lf-api.payex.com",
    ":4010",
    ":99999",
    ".",
    "..",
    "\x00",
    "\x85",
    "\ud800",
    " ",
]
link_strings = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(LINK_FRAGMENTS), st.text(max_size=2)), max_size=16).map("".join),
)


@pytest.fixture(scope="module")
def http_client() -> Iterator[httpx.Client]:
    with httpx.Client(base_url=BASE_URL) as client:
        yield client


def raises_only_invalid_route(call: Callable[[], object]) -> object | None:
    """The result of ``call``, or ``None`` if it refused with ``InvalidRouteError``."""
    try:
        return call()
    except InvalidRouteError:
        return None


# The operation table.


def test_route_templates_are_the_spec_paths() -> None:
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    from_spec = {item["get"]["operationId"]: path for path, item in spec["paths"].items()}
    assert dict(ROUTE_TEMPLATES) == from_spec
    assert len(ROUTE_TEMPLATES) == 6


def test_operation_parameters_are_the_spec_parameters() -> None:
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    for item in spec["paths"].values():
        operation = OPERATIONS[item["get"]["operationId"]]
        names = tuple(resolve(spec, parameter)["name"] for parameter in item["get"]["parameters"])
        assert operation.parameters == names
        assert operation.method == "GET"
        assert operation.arguments == tuple(
            {"ownerNo": "owner_no", "invoiceNo": "invoice_no", "subscriptionNo": "subscription_no"}[name]
            for name in names
        )


def test_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        OPERATIONS["getInvoice"] = OPERATIONS["listInvoices"]  # type: ignore[index]
    with pytest.raises(TypeError):
        ROUTE_TEMPLATES["getInvoice"] = "/"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        OPERATIONS["getInvoice"].path_template = "/"  # type: ignore[misc]


# Building paths.


@settings(max_examples=300)
@given(operation_and_arguments())
def test_build_parse_round_trip(case: tuple[Operation, dict[str, str]]) -> None:
    operation, arguments = case
    path = build_path(operation.operation_id, **arguments)
    assert path == substitute(operation, arguments)
    assert path.count("/") == operation.path_template.count("/")
    assert path.isascii()
    parsed = parse_link(path)
    assert parsed.operation_id == operation.operation_id
    assert parsed.subdomain == "invoice"
    assert (parsed.scheme, parsed.host, parsed.port) == (None, None, None)
    assert parsed.arguments == arguments
    assert parsed.params == dict(zip(operation.parameters, arguments.values(), strict=True))
    assert build_path(operation.operation_id, **parsed.arguments) == path


@settings(max_examples=200)
@given(operation_and_arguments(), st.sampled_from(["https://lf-api.payex.com", "http://127.0.0.1:4010"]))
def test_absolute_round_trip(case: tuple[Operation, dict[str, str]], base: str) -> None:
    operation, arguments = case
    parsed = parse_link(base + build_path(operation.operation_id, **arguments))
    assert parsed.operation_id == operation.operation_id
    assert parsed.arguments == arguments
    assert parsed.host in {"lf-api.payex.com", "127.0.0.1"}


@settings(max_examples=200)
@given(operation_and_arguments())
def test_generated_client_requests_the_same_path(case: tuple[Operation, dict[str, str]]) -> None:
    operation, arguments = case
    generated_url = GENERATED[operation.operation_id]._get_kwargs(**arguments)["url"]
    assert build_path(operation.operation_id, **arguments) == generated_url


@settings(max_examples=200)
@given(operation_and_arguments())
def test_httpx_sends_the_path_unchanged(http_client: httpx.Client, case: tuple[Operation, dict[str, str]]) -> None:
    operation, arguments = case
    path = build_path(operation.operation_id, **arguments)
    assert http_client.build_request("GET", path).url.raw_path == path.encode("ascii")


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("operation", list(OPERATIONS.values()), ids=list(OPERATIONS))
def test_hostile_characters_stay_one_segment(operation: Operation, value: str) -> None:
    arguments = dict.fromkeys(operation.arguments, value)
    path = build_path(operation.operation_id, **arguments)
    assert len(path.split("/")) == len(operation.path_template.split("/"))
    assert "?" not in path
    assert "#" not in path
    assert "\\" not in path
    parsed = parse_link(path)
    assert parsed.operation_id == operation.operation_id
    assert parsed.arguments == arguments


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("603010", "603010"),
        ("0000003", "0000003"),
        ("+46 70 123 45 67", "%2B46%2070%20123%2045%2067"),
        ("a/b", "a%2Fb"),
        ("%2F", "%252F"),
        ("a?b#c", "a%3Fb%23c"),
        ("a\\b;c", "a%5Cb%3Bc"),
        ("é", "%C3%A9"),
        ("...", "..."),
        ("a.b-c_d~e", "a.b-c_d~e"),
    ],
)
def test_encoding(value: str, encoded: str) -> None:
    assert encode_segment("invoice_no", value) == encoded
    assert build_path("getInvoice", owner_no="xxx", invoice_no=value) == f"/billing/invoice/v1/xxx/invoices/{encoded}"


@pytest.mark.parametrize("value", [".", ".."])
@pytest.mark.parametrize("argument", ["owner_no", "invoice_no", "subscription_no"])
def test_dot_segments_are_refused(argument: str, value: str) -> None:
    arguments = {"owner_no": "xxx", "invoice_no": "603010", "subscription_no": "46701234567", argument: value}
    with pytest.raises(InvalidRouteError, match=f"{argument} must not be the dot-segment"):
        build_path("getInvoiceSubscription", **arguments)


def test_length_limit() -> None:
    assert MAX_SEGMENT_LENGTH == 256
    longest = "😀" * MAX_SEGMENT_LENGTH
    path = build_path("getInvoice", owner_no="x" * MAX_SEGMENT_LENGTH, invoice_no=longest)
    assert parse_link(path).arguments == {"owner_no": "x" * MAX_SEGMENT_LENGTH, "invoice_no": longest}
    with pytest.raises(InvalidRouteError, match=r"invoice_no must have at most 256 characters, got 257") as caught:
        build_path("getInvoice", owner_no="xxx", invoice_no="7" * (MAX_SEGMENT_LENGTH + 1))
    assert len(str(caught.value)) < 150


def test_longest_links_fit_the_link_limit() -> None:
    longest = "😀" * MAX_SEGMENT_LENGTH
    path = "/billing/customer/v1/" + "/c/".join(quote(longest, safe="") for _ in range(4))
    assert len(BASE_URL + ":65535" + path) <= MAX_LINK_LENGTH
    assert parse_link(BASE_URL + ":65535" + path).params["resource3Id"] == longest


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "be empty"),
        ("\x00", "control character"),
        ("60\n3010", "control character"),
        ("\t", "control character"),
        ("\x1f", "control character"),
        ("\x7f", "control character"),
        ("\x80", "control character"),
        ("\x85", "control character"),
        ("\x9f", "control character"),
        ("\ud800", "lone surrogate"),
        ("a\udfffb", "lone surrogate"),
        ("\ud83d\ude00", "lone surrogate"),
    ],
)
def test_impossible_values_are_refused(value: str, reason: str) -> None:
    with pytest.raises(InvalidRouteError, match=f"invoiceNo must not.*{reason}") as caught:
        validate_segment("invoiceNo", value)
    message = str(caught.value)
    assert message.isprintable()
    assert message.encode("utf-8")
    with pytest.raises(InvalidRouteError, match=reason):
        build_path("getInvoice", owner_no="xxx", invoice_no=value)


def test_refusal_messages_show_only_a_short_escaped_prefix() -> None:
    secret = "\x00" + "s" * 10_000
    with pytest.raises(InvalidRouteError) as caught:
        validate_segment("ownerNo", secret)
    message = str(caught.value)
    assert "ownerNo" in message
    assert "'\\x00sss" in message
    assert len(message) < 150
    with pytest.raises(InvalidRouteError) as caught:
        parse_link("/billing/invoice/v1/xxx/invoices/" + "%00" + "s" * 10_000)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize("value", [603010, None, b"603010", 6.0, ["603010"]])
def test_non_strings_are_refused(value: object) -> None:
    with pytest.raises(InvalidRouteError, match="invoiceNo must be a str"):
        validate_segment("invoiceNo", value)


def test_str_subclasses_become_plain_strings() -> None:
    class Number(StrEnum):
        INVOICE = "603010"

    value = validate_segment("invoiceNo", Number.INVOICE)
    assert value == "603010"
    assert type(value) is str
    assert build_path("getInvoice", owner_no="xxx", invoice_no=Number.INVOICE).endswith("/invoices/603010")


def test_build_path_refuses_misuse() -> None:
    with pytest.raises(InvalidRouteError, match="unknown operation 'deleteInvoice'"):
        build_path("deleteInvoice", owner_no="xxx")
    with pytest.raises(InvalidRouteError, match="unknown operation int"):
        build_path(7, owner_no="xxx")  # type: ignore[arg-type]
    with pytest.raises(InvalidRouteError, match="getInvoice needs invoice_no"):
        build_path("getInvoice", owner_no="xxx")
    with pytest.raises(InvalidRouteError, match="listInvoices takes no invoice_no"):
        build_path("listInvoices", owner_no="xxx", invoice_no="603010")
    with pytest.raises(InvalidRouteError, match="getInvoice takes no subscription_no"):
        build_path("getInvoice", owner_no="xxx", invoice_no="603010", subscription_no="1")


@settings(max_examples=300)
@given(st.text(), st.text(), operations)
def test_arbitrary_text_builds_or_is_refused(owner_no: str, other: str, operation: Operation) -> None:
    arguments = dict.fromkeys(operation.arguments, other) | {"owner_no": owner_no}
    path = raises_only_invalid_route(lambda: build_path(operation.operation_id, **arguments))
    assert (path is not None) == all(is_valid(value) for value in arguments.values())
    if isinstance(path, str):
        assert parse_link(path).arguments == arguments


@settings(max_examples=300)
@given(st.text())
def test_validate_segment_returns_the_value_or_refuses(value: str) -> None:
    assert raises_only_invalid_route(lambda: validate_segment("ownerNo", value)) in {value, None}


# Parsing links.


@pytest.mark.parametrize(
    ("link", "operation_id", "params"),
    [
        ("/billing/invoice/v1/xxx/invoices", "listInvoices", {"ownerNo": "xxx"}),
        ("/billing/invoice/v1/xxx/invoices/603010", "getInvoice", {"ownerNo": "xxx", "invoiceNo": "603010"}),
        (
            "/billing/invoice/v1/xxx/invoices/603010/recurring-products",
            "listInvoiceRecurringProducts",
            {"ownerNo": "xxx", "invoiceNo": "603010"},
        ),
        (
            "/billing/invoice/v1/xxx/invoices/603010/subscriptions",
            "listInvoiceSubscriptions",
            {"ownerNo": "xxx", "invoiceNo": "603010"},
        ),
        (
            "/billing/invoice/v1/xxx/invoices/603010/subscriptions/46701234567",
            "getInvoiceSubscription",
            {"ownerNo": "xxx", "invoiceNo": "603010", "subscriptionNo": "46701234567"},
        ),
        (
            "/billing/invoice/v1/xxx/invoices/603010/subscriptions/%2B46%2070/recurring-products",
            "listSubscriptionRecurringProducts",
            {"ownerNo": "xxx", "invoiceNo": "603010", "subscriptionNo": "+46 70"},
        ),
        (
            "/billing/invoice/v1/xxx/invoices/603010/subscriptions/46701234567/recurring-products/1",
            None,
            {"ownerNo": "xxx", "resource1Id": "603010", "resource2Id": "46701234567", "resource3Id": "1"},
        ),
        ("/billing/invoice/v1/xxx/customers/0000003", None, {"ownerNo": "xxx", "resource1Id": "0000003"}),
    ],
)
def test_invoice_links(link: str, operation_id: str | None, params: dict[str, str]) -> None:
    parsed = parse_link(link)
    assert parsed.subdomain == "invoice"
    assert parsed.operation_id == operation_id
    assert parsed.params == params
    if operation_id is not None:
        assert build_path(operation_id, **parsed.arguments) == link
    else:
        assert parsed.arguments == {}


def test_documented_example_links_parse() -> None:
    def strings(node: object) -> Iterator[str]:
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for child in node.values():
                yield from strings(child)
        elif isinstance(node, list):
            for child in node:
                yield from strings(child)

    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    links = {value for value in strings(spec["paths"]) if value.startswith("/billing/invoice/v1/xxx/")}
    assert len(links) >= 10
    for link in links:
        parsed = parse_link(link)
        assert parsed.owner_no == "xxx"
        assert parsed.resources[0] == Resource("invoices", parsed.params.get("invoiceNo", parsed.resources[0].id))


@pytest.mark.parametrize(
    ("link", "subdomain", "resources"),
    [
        ("/billing/customer/v1/xxx/customers/0000003", "customer", (Resource("customers", "0000003"),)),
        ("/billing/customer/v1/xxx/customers", "customer", (Resource("customers", None),)),
        ("/billing/usage/v1/xxx/invoices/603010", "usage", (Resource("invoices", "603010"),)),
        (
            "/billing/usage/v1/xxx/invoices/603010/subscriptions/%2B4670",
            "usage",
            (Resource("invoices", "603010"), Resource("subscriptions", "+4670")),
        ),
    ],
)
def test_sibling_api_links(link: str, subdomain: str, resources: tuple[Resource, ...]) -> None:
    parsed = parse_link(link)
    assert parsed.subdomain == subdomain
    assert parsed.owner_no == "xxx"
    assert parsed.resources == resources
    assert parsed.operation_id is None
    assert parsed.arguments == {}


@pytest.mark.parametrize(
    ("link", "scheme", "host", "port"),
    [
        ("https://lf-api.payex.com/billing/invoice/v1/xxx/invoices/603010", "https", "lf-api.payex.com", None),
        ("HTTPS://LF-API.PayEx.com:443/billing/invoice/v1/xxx/invoices/603010", "https", "lf-api.payex.com", 443),
        ("http://127.0.0.1:4010/billing/invoice/v1/xxx/invoices/603010", "http", "127.0.0.1", 4010),
        ("http://[::1]:4010/billing/invoice/v1/xxx/invoices/603010", "http", "::1", 4010),
        ("http://[::FFFF:7F00:1]/billing/invoice/v1/xxx/invoices/603010", "http", "::ffff:7f00:1", None),
        (
            "https://api.sandbox.payex.com./billing/invoice/v1/xxx/invoices/603010",
            "https",
            "api.sandbox.payex.com.",
            None,
        ),
    ],
)
def test_absolute_links(link: str, scheme: str, host: str, port: int | None) -> None:
    assert parse_link(link) == ParsedLink(
        scheme=scheme,
        host=host,
        port=port,
        subdomain="invoice",
        owner_no="xxx",
        resources=(Resource("invoices", "603010"),),
        operation_id="getInvoice",
    )


def test_links_are_decoded_leniently_and_rebuilt_canonically() -> None:
    parsed = parse_link("/billing/invoice/v1/x%78x/invoices/60%2f3/subscriptions/+46 70 é")
    assert parsed.arguments == {"owner_no": "xxx", "invoice_no": "60/3", "subscription_no": "+46 70 é"}
    assert build_path("getInvoiceSubscription", **parsed.arguments) == (
        "/billing/invoice/v1/xxx/invoices/60%2F3/subscriptions/%2B46%2070%20%C3%A9"
    )


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("", "expected a path"),
        ("billing/invoice/v1/xxx/invoices", "expected a path"),
        ("/billing/invoice/v1/xxx", "expected /billing/"),
        ("/billing/invoice/v2/xxx/invoices", "expected /billing/"),
        ("/ledger/invoice/v1/xxx/invoices", "expected /billing/"),
        ("/billing/Invoice!/v1/xxx/invoices", "expected /billing/"),
        ("/billing/invoice/v1/xxx/603010", "expected /billing/"),
        ("/billing/invoice/v1/xxx/a/1/b/2/c/3/d", "expected /billing/"),
        ("/billing/invoice/v1/xxx/%69nvoices", "expected /billing/"),
        ("/billing/invoice/v1/xxx/invoices?page=2", "query or fragment"),
        ("/billing/invoice/v1/xxx/invoices?", "query or fragment"),
        ("/billing/invoice/v1/xxx/invoices#top", "query or fragment"),
        ("/billing/invoice/v1/xxx/invoices/", "empty path segment"),
        ("/billing/invoice/v1//invoices", "empty path segment"),
        ("/billing//invoice/v1/xxx/invoices", "empty path segment"),
        ("//lf-api.payex.com/billing/invoice/v1/xxx/invoices", "network-path reference"),
        ("/billing/invoice/v1/xxx/invoices\\603010", "backslash"),
        ("https:\\\\lf-api.payex.com/billing/invoice/v1/xxx/invoices", "backslash"),
        ("/billing/invoice/v1/xxx/invoices/%2", "malformed percent-escape"),
        ("/billing/invoice/v1/xxx/invoices/%zz", "malformed percent-escape"),
        ("/billing/invoice/v1/xxx/invoices/%ff", "not percent-encoded UTF-8"),
        ("/billing/invoice/v1/xxx/invoices/%ED%A0%80", "not percent-encoded UTF-8"),
        ("/billing/invoice/v1/xxx/invoices/%2e", "dot-segment"),
        ("/billing/invoice/v1/xxx/invoices/%2E%2E", "dot-segment"),
        ("/billing/invoice/v1/xxx/invoices/..", "dot-segment"),
        ("/billing/invoice/v1/%2e/invoices", "ownerNo must not be the dot-segment"),
        ("/billing/invoice/v1/xxx/invoices/%00", "invoiceNo must not contain a control character"),
        ("/billing/invoice/v1/xxx/invoices/%C2%85", "control character"),
        ("/billing/invoice/v1/xxx/invoices/a\tb", "control character"),
        ("/billing/usage/v1/xxx/invoices/\ud800", "resource1Id must not contain a lone surrogate"),
        ("/billing/invoice/v1/xxx/invoices/" + "7" * 257, "at most 256 characters"),
        ("/billing/invoice/v1/xxx/invoices/" + "7" * MAX_LINK_LENGTH, f"longer than {MAX_LINK_LENGTH}"),
        ("ftp://lf-api.payex.com/billing/invoice/v1/xxx/invoices", "not http or https"),
        ("javascript:alert(1)", "not http or https"),
        ("file:///billing/invoice/v1/xxx/invoices", "not http or https"),
        ("https:/billing/invoice/v1/xxx/invoices", "needs a host"),
        ("https://user:secret@lf-api.payex.com/billing/invoice/v1/xxx/invoices", "userinfo"),
        ("https://@lf-api.payex.com/billing/invoice/v1/xxx/invoices", "userinfo"),
        ("https:///billing/invoice/v1/xxx/invoices", "malformed host"),
        ("https://lf-api.payex.com:/billing/invoice/v1/xxx/invoices", "malformed host"),
        ("https://lf-api..payex.com/billing/invoice/v1/xxx/invoices", "malformed host"),
        ("https://lf api.payex.com/billing/invoice/v1/xxx/invoices", "malformed host"),
        ("https://lf-api.payex.com:99999/billing/invoice/v1/xxx/invoices", "out of range"),
        ("https://lf-api.payex.com:0/billing/invoice/v1/xxx/invoices", "out of range"),
        ("http://[1::2::3]/billing/invoice/v1/xxx/invoices", "malformed IPv6"),
        ("http://[::g]/billing/invoice/v1/xxx/invoices", "malformed host"),
        ("https://lf-api.payex.com", "expected /billing/"),
    ],
)
def test_refused_links(link: str, reason: str) -> None:
    with pytest.raises(InvalidRouteError, match=reason):
        parse_link(link)


def test_non_string_links_are_refused() -> None:
    with pytest.raises(InvalidRouteError, match="a link must be a str, not bytes"):
        parse_link(b"/billing/invoice/v1/xxx/invoices")  # type: ignore[arg-type]


@settings(max_examples=500)
@given(link_strings)
def test_arbitrary_links_parse_or_are_refused(link: str) -> None:
    parsed = raises_only_invalid_route(lambda: parse_link(link))
    if isinstance(parsed, ParsedLink):
        assert all(is_valid(value) for value in parsed.params.values())
        if parsed.operation_id is not None:
            assert parse_link(build_path(parsed.operation_id, **parsed.arguments)) == dataclasses.replace(
                parsed, scheme=None, host=None, port=None
            )


@settings(max_examples=300)
@given(operation_and_arguments(), st.data())
def test_corrupted_links_parse_or_are_refused(case: tuple[Operation, dict[str, str]], data: st.DataObject) -> None:
    operation, arguments = case
    path = BASE_URL + build_path(operation.operation_id, **arguments)
    position = data.draw(st.integers(0, len(path)))
    insert = data.draw(st.one_of(st.sampled_from(LINK_FRAGMENTS), st.characters()))
    corrupted = path[:position] + insert + path[position:]
    raises_only_invalid_route(lambda: parse_link(corrupted))
