"""Problem bodies: parsing every shape PayEx sends, and mapping error responses onto the exception hierarchy."""

from __future__ import annotations

import json
import pickle
from typing import Any

import httpx
import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from payex_billing_invoice._exceptions import (
    BODY_LIMIT,
    PROBLEM_TYPES,
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    BillingInvoiceError,
    ClientConfigurationError,
    ConflictError,
    CustomerNotFound,
    InvoiceNotFound,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    SubscriptionNotFound,
    UnprocessableEntityError,
    ValidationProblem,
    error_for_response,
)
from payex_billing_invoice._problems import ProblemDetails, parse_problem, problem_code
from payex_billing_invoice_openapi import strict_models

# The problem sample of PayEx's ledger "rest-problems" page, verbatim (reference section 4).
DOCUMENTED_PROBLEM = b"""
{
   "Type": "ledger/customer/v1/problems/validation",
   "Title": "A validation error occurred",
   "Status": 400,
   "Instance": "dd07e588-70c8-4b27-95f5-020cc2968c06",
   "Detail": "A validation error occurred. Please fix the problems mentioned in the 'problems' property below.",
   "Problems": [
        { "customer.nationalConsumerIdentifier.value": "Not a valid SE nationalConsumerIdentifier" }
    ]
}
"""
PROBLEM_JSON = "application/problem+json"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsZWRnZXIifQ.c2lnbmF0dXJlLXNlY3JldA"
INSTANCE = "7c6f1e2d-3b4a-4f5e-9d8c-1a2b3c4d5e6f"


def problem_body(**members: object) -> bytes:
    return json.dumps(members).encode()


def respond(status_code: int, body: bytes, content_type: str = PROBLEM_JSON, **headers: str) -> ApiStatusError:
    return error_for_response(
        status_code=status_code,
        headers=httpx.Headers({"Content-Type": content_type, **headers}),
        body=body,
        request_id="req-42",
    )


def test_documented_pascal_case_sample() -> None:
    problem = parse_problem(DOCUMENTED_PROBLEM, PROBLEM_JSON)

    assert problem == ProblemDetails(
        type="ledger/customer/v1/problems/validation",
        code="validation",
        title="A validation error occurred",
        status=400,
        detail="A validation error occurred. Please fix the problems mentioned in the 'problems' property below.",
        instance="dd07e588-70c8-4b27-95f5-020cc2968c06",
        problems={"customer.nationalConsumerIdentifier.value": "Not a valid SE nationalConsumerIdentifier"},
        raw=json.loads(DOCUMENTED_PROBLEM),
    )
    error = respond(400, DOCUMENTED_PROBLEM)
    assert type(error) is ValidationProblem
    assert error.problem == problem
    assert error.code == "validation"
    assert error.instance == "dd07e588-70c8-4b27-95f5-020cc2968c06"


def test_camel_case_body() -> None:
    body = problem_body(
        type="billing/invoice/problems/invoice-not-found",
        title="Invoice number not found in Usage",
        status=404,
        detail="No invoice 603010",
        instance=INSTANCE,
    )

    error = respond(404, body)

    assert type(error) is InvoiceNotFound
    assert isinstance(error, NotFoundError)
    assert error.problem is not None
    assert (error.problem.title, error.problem.detail, error.problem.status) == (
        "Invoice number not found in Usage",
        "No invoice 603010",
        404,
    )
    assert str(error) == (
        f"HTTP 404 invoice-not-found: Invoice number not found in Usage: No invoice 603010 "
        f"(instance {INSTANCE}, request req-42)"
    )


def test_member_names_are_case_insensitive() -> None:
    problem = parse_problem(problem_body(TYPE="billing/invoice/problems/validation", tItLe="T", STATUS=400), None)

    assert problem is not None
    assert (problem.code, problem.title, problem.status) == ("validation", "T", 400)


def test_a_member_of_the_wrong_type_yields_to_another_casing() -> None:
    problem = parse_problem(problem_body(type=None, Type="billing/invoice/problems/validation", status="x", Status=400))

    assert problem is not None
    assert (problem.code, problem.status) == ("validation", 400)


@pytest.mark.parametrize(
    ("typecode", "code"),
    [
        ("billing/invoice/problems/validation", "validation"),
        ("billing/invoice/service/invoice-not-found", "invoice-not-found"),
        ("http://host/ledger/invoice-purchase/problems/validation", "validation"),
        ("https://api.payex.com/billing/invoice/problems/subscription-not-found/", "subscription-not-found"),
        ("https://api.payex.com/billing/invoice/problems/validation?lang=sv#top", "validation"),
        ("ledger/customer/v1/problems/validation", "validation"),
        ("billing/invoice/problems/Customer-Not-Found", "customer-not-found"),
        ("customer-not-found", "customer-not-found"),
        ("about:blank", None),
        ("https://example.com/errors/validation", None),
        ("billing/invoice/problems/", None),
        ("billing/invoice/problems/not a code", None),
    ],
)
def test_typecode_forms(typecode: str, code: str | None) -> None:
    assert problem_code(typecode) == code
    problem = parse_problem(problem_body(type=typecode), PROBLEM_JSON)
    assert problem is not None
    assert (problem.type, problem.code) == (typecode, code)


@pytest.mark.parametrize(
    ("typecode", "status_code", "expected"),
    [
        ("billing/invoice/problems/validation", 400, ValidationProblem),
        ("billing/invoice/service/customer-not-found", 404, CustomerNotFound),
        ("http://host/ledger/invoice-purchase/problems/invoice-not-found", 404, InvoiceNotFound),
        ("ledger/customer/v1/problems/subscription-not-found", 404, SubscriptionNotFound),
    ],
)
def test_each_documented_code_maps_to_its_class(
    typecode: str, status_code: int, expected: type[ApiStatusError]
) -> None:
    assert type(respond(status_code, problem_body(type=typecode, status=status_code))) is expected


def test_unknown_code_gives_the_status_class_and_keeps_the_body() -> None:
    body = problem_body(type="billing/invoice/problems/ledger-locked", title="Ledger locked", instance=INSTANCE)

    error = respond(409, body)

    assert type(error) is ConflictError
    assert error.code == "ledger-locked"
    assert error.body == body.decode()
    assert error.problem is not None
    assert error.problem.raw == json.loads(body)
    assert str(error) == f"HTTP 409 ledger-locked: Ledger locked (instance {INSTANCE}, request req-42)"


@pytest.mark.parametrize(
    ("typecode", "status_code", "expected"),
    [
        ("billing/invoice/problems/validation", 422, UnprocessableEntityError),
        ("billing/invoice/problems/invoice-not-found", 400, BadRequestError),
        ("billing/invoice/problems/validation", 500, ServerError),
        ("billing/invoice/problems/customer-not-found", 410, ApiStatusError),
    ],
)
def test_code_with_another_status_gives_the_status_class(
    typecode: str, status_code: int, expected: type[ApiStatusError]
) -> None:
    error = respond(status_code, problem_body(type=typecode))

    assert type(error) is expected
    assert error.code == problem_code(typecode)


@pytest.mark.parametrize(
    ("status_code", "expected"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (418, ApiStatusError),
        (500, ServerError),
        (501, ServerError),
        (599, ServerError),
    ],
)
def test_status_classes(status_code: int, expected: type[ApiStatusError]) -> None:
    assert type(respond(status_code, b"")) is expected


def test_empty_401() -> None:
    error = error_for_response(status_code=401, headers={}, body=b"", request_id=None)

    assert type(error) is AuthenticationError
    assert (error.problem, error.body, error.code, error.instance) == (None, "", None, None)
    assert str(error) == "HTTP 401 Unauthorized"


def test_html_502() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"

    error = respond(502, page, "text/html")

    assert type(error) is ServerError
    assert error.problem is None
    assert error.body == page.decode()
    assert str(error) == f"HTTP 502 Bad Gateway: HTML body ({len(page)} characters) (request req-42)"


def test_plain_text_body_is_quoted_on_one_line() -> None:
    error = respond(429, b"Too many requests.\r\nRetry in 10 s.\x1b[31m", "text/plain")

    assert str(error) == "HTTP 429 Too Many Requests: Too many requests. Retry in 10 s. [31m (request req-42)"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"   ", id="blank"),
        pytest.param(b"<!DOCTYPE html><html></html>", id="html"),
        pytest.param(b'{"type": "billing/invoice/problems/validation", "title": "A valid', id="truncated-json"),
        pytest.param(b'{"title": "\xff\xfe caf\xe9"}', id="not-utf-8"),
        pytest.param(b'[{"type": "billing/invoice/problems/validation"}]', id="json-list"),
        pytest.param(b'"billing/invoice/problems/validation"', id="json-string"),
        pytest.param(b"null", id="json-null"),
        pytest.param(b"[" * 100_000, id="deep-nesting"),
    ],
)
def test_bodies_that_are_not_problems(body: bytes) -> None:
    assert parse_problem(body, PROBLEM_JSON) is None
    error = respond(400, body)
    assert type(error) is BadRequestError
    assert error.problem is None
    assert error.body == body[:BODY_LIMIT].decode(errors="replace")


def test_charset_of_the_content_type_picks_the_decoding() -> None:
    body = '{"title": "Kund saknas i Malmö"}'.encode("latin-1")

    problem = parse_problem(body, "application/problem+json; charset=ISO-8859-1")

    assert problem is not None
    assert problem.title == "Kund saknas i Malmö"
    assert parse_problem(body, PROBLEM_JSON) is None
    assert parse_problem('\ufeff{"title": "BOM"}'.encode(), PROBLEM_JSON) is not None
    assert parse_problem(b'{"title": "rot"}', "application/json; charset=rot13") is not None


def test_problems_list_is_merged() -> None:
    body = problem_body(
        type="billing/invoice/problems/validation",
        problems=[
            {"invoiceNo": "Not a valid invoice number"},
            {"ownerNo": "Required"},
            {"invoiceNo": "Too long"},
            {"ownerNo": ["Must be digits", 7, "Must not be blank"]},
            "not an object",
            {"amount": 12},
            None,
        ],
    )

    error = respond(400, body)

    assert type(error) is ValidationProblem
    assert error.problem is not None
    assert error.problem.problems == {
        "invoiceNo": "Not a valid invoice number; Too long",
        "ownerNo": "Required; Must be digits; Must not be blank",
    }
    assert "[invoiceNo: Not a valid invoice number; Too long; ownerNo: Required;" in str(error)


def test_problems_as_a_dict_and_of_wrong_types() -> None:
    as_dict = parse_problem(problem_body(problems={"invoiceNo": "Not a valid invoice number"}))
    wrong = parse_problem(problem_body(problems="invoiceNo is wrong"))
    both = parse_problem(problem_body(problems=[], Problems=[{"a": "b"}]))

    assert as_dict is not None
    assert as_dict.problems == {"invoiceNo": "Not a valid invoice number"}
    assert wrong is not None
    assert wrong.problems == {}
    assert both is not None
    assert both.problems == {"a": "b"}


def test_type_without_a_code_is_named_by_the_status() -> None:
    body = problem_body(type="https://tools.ietf.org/html/rfc9110#section-15.5.5", title="Not Found", status=404)

    error = respond(404, body)

    assert type(error) is NotFoundError
    assert error.code is None
    assert str(error) == "HTTP 404 Not Found: Not Found (request req-42)"


def test_null_instance() -> None:
    error = respond(404, problem_body(type="billing/invoice/problems/customer-not-found", title="T", instance=None))

    assert type(error) is CustomerNotFound
    assert error.instance is None
    assert str(error) == "HTTP 404 customer-not-found: T (request req-42)"


@pytest.mark.parametrize(
    ("status", "expected"),
    [(400, 400), ("404", 404), (" 500 ", 500), (404.0, 404), (True, None), ("4e2", None), ("٤٠٠", None), (99, None)],
)
def test_status_member(status: object, expected: int | None) -> None:
    problem = parse_problem(problem_body(status=status))

    assert problem is not None
    assert problem.status == expected


def test_str_and_repr_hold_the_instance_id_and_no_credentials() -> None:
    body = problem_body(
        type="billing/invoice/problems/invoice-not-found",
        title="Invoice number not found in Usage",
        detail=f"Rejected Authorization: Bearer {TOKEN}",
        instance=INSTANCE,
    )

    error = respond(404, body, Authorization=f"Bearer {TOKEN}", **{"Set-Cookie": f"session={TOKEN}"})

    for text in (str(error), repr(error), repr(error.headers)):
        assert TOKEN not in text
    assert INSTANCE in str(error)
    assert INSTANCE in repr(error)
    assert "Bearer [redacted]" in str(error)
    assert error.headers["authorization"] == "[redacted]"
    assert error.headers["set-cookie"] == "[redacted]"
    assert error.headers["content-type"] == PROBLEM_JSON
    assert "\n" not in str(error)


def test_redaction_keeps_every_other_header_and_survives_non_ascii_values() -> None:
    headers = httpx.Headers([(b"X-Note", "Malmö".encode("latin-1")), (b"Via", b"a"), (b"Via", b"b")])

    error = error_for_response(status_code=500, headers=headers, body=b"", request_id=None)
    plain = error_for_response(status_code=500, headers={"X-Note": "Malmö"}, body=b"", request_id=None)

    assert error.headers.get_list("via") == ["a", "b"]
    assert error.headers["x-note"] == "Malmö"
    assert plain.headers["x-note"] == "Malmö"


def test_body_is_capped_and_decoded_leniently() -> None:
    error = respond(500, b"\xff" + b"x" * (2 * BODY_LIMIT), "text/plain")

    assert len(error.body) == BODY_LIMIT
    assert error.body.startswith("\ufffdx")


def test_exceptions_pickle() -> None:
    error = respond(400, DOCUMENTED_PROBLEM, Authorization="Bearer secret-token-value-1234567890")
    mismatch = ResponseValidationError(status_code=200, body=b"[]", errors=["(root): x"], operation_id="listInvoices")

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 -- a round trip of our own object
    mismatch_copy = pickle.loads(pickle.dumps(mismatch))  # noqa: S301

    assert type(copy) is ValidationProblem
    assert (str(copy), copy.problem, copy.headers, copy.request_id) == (
        str(error),
        error.problem,
        error.headers,
        error.request_id,
    )
    assert (str(mismatch_copy), mismatch_copy.errors) == (str(mismatch), mismatch.errors)


def test_errors_without_a_response() -> None:
    assert issubclass(ClientConfigurationError, BillingInvoiceError)
    assert issubclass(ClientConfigurationError, ValueError)
    assert issubclass(ApiTimeoutError, ApiConnectionError)
    assert issubclass(ApiConnectionError, BillingInvoiceError)
    assert not issubclass(ApiConnectionError, ApiStatusError)
    assert str(ApiTimeoutError()) == "The request to the PayEx API timed out."


def test_response_validation_error_from_pydantic() -> None:
    body = b'{"items": [{"invoiceNo": 603010}, {"invoiceDate": "not a date"}]}'
    with pytest.raises(pydantic.ValidationError) as caught:
        strict_models.InvoiceList.model_validate_json(body)

    error = ResponseValidationError.from_validation_error(
        caught.value, status_code=200, body=body, operation_id="listInvoices"
    )

    assert isinstance(error, BillingInvoiceError)
    assert not isinstance(error, ApiStatusError)
    assert error.errors == (
        "items.0.invoiceNo: Input should be a valid string",
        "items.1.invoiceDate: Input should be a valid date or datetime, invalid character in year",
    )
    assert error.body == body.decode()
    assert str(error) == (
        "listInvoices: HTTP 200 body does not fit the spec: items.0.invoiceNo: Input should be a valid string (+1 more)"
    )
    assert "603010" not in str(error)
    assert repr(error) == "ResponseValidationError(status_code=200, operation_id='listInvoices', errors=2)"


def test_response_validation_error_for_a_body_that_is_not_json() -> None:
    error = ResponseValidationError(
        status_code=200, body=b"<html>" * BODY_LIMIT, errors=["body is not JSON"], operation_id="getInvoice"
    )

    assert len(error.body) == BODY_LIMIT
    assert str(error) == "getInvoice: HTTP 200 body does not fit the spec: body is not JSON"


def test_registry_matches_the_spec(spec: dict[str, Any]) -> None:
    documented = {entry["code"]: (entry["typecode"], entry["status"]) for entry in spec["x-payex-problem-types"]}

    assert {code: (cls.problem_type, cls.problem_status) for code, cls in PROBLEM_TYPES.items()} == documented
    for code, cls in PROBLEM_TYPES.items():
        assert cls.problem_code == code
        typecode, status = documented[code]
        assert problem_code(typecode) == code
        assert type(respond(status, problem_body(type=typecode))) is cls


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
member_names = st.sampled_from(["type", "Type", "TITLE", "status", "Status", "detail", "instance", "problems", "x"])
problem_like = st.dictionaries(member_names, json_values, max_size=6)


@given(body=st.binary(max_size=512), content_type=st.none() | st.text(max_size=40))
def test_parse_problem_never_raises_for_arbitrary_bytes(body: bytes, content_type: str | None) -> None:
    problem = parse_problem(body, content_type)

    assert problem is None or isinstance(problem.raw, dict)


@given(value=json_values | problem_like)
def test_parse_problem_never_raises_for_arbitrary_json(value: object) -> None:
    problem = parse_problem(json.dumps(value).encode(), PROBLEM_JSON)

    assert (problem is not None) == isinstance(value, dict)
    if problem is not None:
        assert problem.status is None or 100 <= problem.status <= 599
        assert all(isinstance(key, str) and isinstance(message, str) for key, message in problem.problems.items())


@given(
    status_code=st.integers(min_value=400, max_value=599),
    body=st.binary(max_size=256) | (json_values | problem_like).map(lambda value: json.dumps(value).encode()),
    content_type=st.sampled_from([PROBLEM_JSON, "text/html", "application/json; charset=latin-1", ""]),
)
def test_error_for_response_always_gives_a_status_error(status_code: int, body: bytes, content_type: str) -> None:
    error = respond(status_code, body, content_type)

    assert isinstance(error, ApiStatusError)
    assert error.status_code == status_code
    assert (status_code >= 500) == isinstance(error, ServerError)
    line = str(error)
    assert line.startswith(f"HTTP {status_code} ")
    assert "\n" not in line
    assert repr(error).startswith(type(error).__name__)
