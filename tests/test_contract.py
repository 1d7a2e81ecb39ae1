"""Contract tests: the committed spec and the hand-written overlay stay aligned."""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payex_billing_invoice import InvalidRouteError, build_path, parse_link
from payex_billing_invoice._routes import validate_segment
from pipeline.overlay_alignment import overlay_alignment, spec_operations

LIST = "/billing/invoice/v1/{ownerNo}/invoices"
INVOICE = LIST + "/{invoiceNo}"
ARGUMENT_OF_PARAMETER = {"ownerNo": "owner_no", "invoiceNo": "invoice_no", "subscriptionNo": "subscription_no"}


def _valid(value: str) -> bool:
    try:
        validate_segment("value", value)
    except InvalidRouteError:
        return False
    return True


segment_values = st.text(min_size=1, max_size=40).filter(_valid)


def test_committed_spec_and_overlay_are_aligned(spec: dict[str, Any]) -> None:
    assert overlay_alignment(spec) == []


def test_deleting_an_operation_is_caught(spec: dict[str, Any]) -> None:
    changed = copy.deepcopy(spec)
    del changed["paths"]["/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/subscriptions/{subscriptionNo}"]
    assert overlay_alignment(changed) == [
        "overlay method get_subscription calls GET "
        "/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/subscriptions/{subscriptionNo}, which the spec lacks"
    ]


def test_deleting_a_problem_type_is_caught(spec: dict[str, Any]) -> None:
    changed = copy.deepcopy(spec)
    changed["x-payex-problem-types"] = [e for e in changed["x-payex-problem-types"] if e["code"] != "invoice-not-found"]
    assert overlay_alignment(changed) == [
        "exception class InvoiceNotFound maps problem type invoice-not-found, which the spec lacks"
    ]


def test_a_new_operation_or_problem_type_without_overlay_is_caught(spec: dict[str, Any]) -> None:
    changed = copy.deepcopy(spec)
    changed["paths"]["/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/pdf"] = {
        "get": {"operationId": "getInvoicePdf", "responses": {"200": {"description": "PDF"}}}
    }
    changed["x-payex-problem-types"].append(
        {"code": "invoice-locked", "typecode": "billing/invoice/problems/invoice-locked", "status": 409}
    )
    messages = overlay_alignment(changed)
    assert (
        "operation GET /billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/pdf (getInvoicePdf) "
        "has no facade method in the overlay"
    ) in messages
    assert "problem type invoice-locked (HTTP 409) has no exception class in the overlay" in messages


def test_a_renamed_operation_id_is_caught_at_its_method_and_path(spec: dict[str, Any]) -> None:
    changed = copy.deepcopy(spec)
    changed["paths"][INVOICE]["get"]["operationId"] = "Invoices_GetInvoice"
    assert overlay_alignment(changed) == [
        f"operation GET {INVOICE}: operationId 'Invoices_GetInvoice', but the facade imports the generated module "
        "of 'getInvoice' (spec/payex.overlay.yaml names the operation)"
    ]


def test_a_required_query_parameter_is_caught(spec: dict[str, Any]) -> None:
    changed = copy.deepcopy(spec)
    operation = changed["paths"][LIST]["get"]
    operation["parameters"].append(
        {"name": "customerNo", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    assert overlay_alignment(changed) == [
        f"operation GET {LIST}: requires query parameter customerNo, which the facade does not send"
    ]


def test_changed_path_status_and_schema_are_caught(spec: dict[str, Any]) -> None:
    changed = copy.deepcopy(spec)
    item = changed["paths"].pop(INVOICE)
    moved = copy.deepcopy(item)
    item["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] = "#/components/schemas/Other"
    changed["paths"][INVOICE] = item
    changed["paths"]["/billing/invoice/v1/{ownerNo}/invoice/{invoiceNo}"] = moved
    changed["x-payex-problem-types"][0]["status"] = 422
    messages = overlay_alignment(changed)
    assert f"operation GET {INVOICE}: 200 schema 'Other' but the overlay returns attrs Invoice" in messages
    moved_path = "/billing/invoice/v1/{ownerNo}/invoice/{invoiceNo}"
    assert f"operation GET {moved_path} (getInvoice) has no facade method in the overlay" in messages
    assert "problem type validation: ValidationProblem status 400, spec 422" in messages


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_built_paths_match_the_spec_templates_and_parse_back(spec: dict[str, Any], data: st.DataObject) -> None:
    for (_, template), operation in spec_operations(spec).items():
        operation_id = operation["operationId"]
        parameters = _template_pattern(template).groupindex
        values = {name: data.draw(segment_values, label=name) for name in parameters}
        path = build_path(operation_id, **{ARGUMENT_OF_PARAMETER[name]: value for name, value in values.items()})
        match = _template_pattern(template).fullmatch(path)
        assert match is not None, f"{operation_id}: {path!r} does not match {template!r}"
        assert {name: unquote(match[name]) for name in parameters} == values
        parsed = parse_link(path)
        assert parsed.operation_id == operation_id
        assert parsed.params == values


@pytest.mark.parametrize("value", ["", ".", "..", "a\x00b", "x" * 1000])
def test_values_that_can_never_be_valid_are_refused(value: str) -> None:
    with pytest.raises(InvalidRouteError):
        build_path("getInvoice", owner_no="xxx", invoice_no=value)
