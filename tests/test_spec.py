"""The committed spec: valid, faithful to the documented facts, and honest about what is inferred."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pydantic
import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from payex_billing_invoice_openapi import strict_models
from pipeline.overlay_alignment import spec_operation
from tests._examples import first_example, resolve, response_examples
from tests.conftest import SPEC_PATH

# The two response bodies PayEx's "Billing API / Invoice" page shows, copied verbatim.
DOCUMENTED_LIST_INVOICES = """
{
 "items": [
    {
     "invoiceNo": "603010",
     "invoiceDate": "2026-03-01",
     "recurringProducts": "/billing/invoice/v1/xxx/invoices/603010/recurring-products",
     "subscriptions": "/billing/invoice/v1/xxx/invoices/603010/subscriptions",
     "@id": "/billing/invoice/v1/xxx/invoices/603010"
    },
    {
     "invoiceNo": "603012",
     "invoiceDate": "2026-04-01",
     "recurringProducts": "/billing/invoice/v1/xxx/invoices/603012/recurring-products",
     "subscriptions": "/billing/invoice/v1/xxx/invoices/603012/subscriptions",
     "@id": "/billing/invoice/v1/xxx/invoices/603012"
    }
  ],
 "navigation": {
   "@id": "/billing/invoice/v1/xxx/invoices"
  }
}
"""
DOCUMENTED_GET_INVOICE = """
{
 "invoiceNo": "603010",
 "invoiceDate": "2026-03-01",
 "invoiceAmount": 499.00,
 "recurringProducts": "/billing/invoice/v1/xxx/invoices/603010/recurring-products",
 "subscriptions": "/billing/invoice/v1/xxx/invoices/603010/subscriptions"
}
"""
PATH_PREFIX = "/billing/invoice/v1/{ownerNo}"
EXPECTED_PATHS = {
    f"{PATH_PREFIX}/invoices",
    f"{PATH_PREFIX}/invoices/{{invoiceNo}}",
    f"{PATH_PREFIX}/invoices/{{invoiceNo}}/recurring-products",
    f"{PATH_PREFIX}/invoices/{{invoiceNo}}/subscriptions",
    f"{PATH_PREFIX}/invoices/{{invoiceNo}}/subscriptions/{{subscriptionNo}}",
    f"{PATH_PREFIX}/invoices/{{invoiceNo}}/subscriptions/{{subscriptionNo}}/recurring-products",
}
RECORD = json.loads((SPEC_PATH.parent / "source.json").read_text())


def _operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, item["get"]) for path, item in spec["paths"].items()]


def test_spec_is_valid_openapi_3_0(spec: dict[str, Any]) -> None:
    validate(spec)
    assert spec["openapi"].startswith("3.0.")


def test_the_six_operations_have_the_documented_paths_and_string_parameters(spec: dict[str, Any]) -> None:
    assert set(spec["paths"]) == EXPECTED_PATHS
    for path, operation in _operations(spec):
        names = [resolve(spec, parameter)["name"] for parameter in operation["parameters"]]
        assert names == [segment[1:-1] for segment in path.split("/") if segment.startswith("{")], path
        for parameter in operation["parameters"]:
            assert resolve(spec, parameter)["schema"] == {"type": "string"}, path


def test_every_operation_and_schema_records_its_provenance(spec: dict[str, Any]) -> None:
    nodes = [(operation["operationId"], operation) for _, operation in _operations(spec)]
    nodes += list(spec["components"]["schemas"].items())
    for name, node in nodes:
        assert node.get("x-payex-provenance") in {"documented", "inferred"}, name
        assert node.get("x-payex-source", "").startswith("developer.payex.com"), name


def test_inferred_operations_are_the_ones_the_reference_infers(spec: dict[str, Any]) -> None:
    inferred = {op["operationId"] for _, op in _operations(spec) if op["x-payex-provenance"] == "inferred"}
    assert inferred == {"getInvoiceSubscription", "listSubscriptionRecurringProducts"}


@pytest.mark.skipif(RECORD["origin"] != "reconstruction", reason="what upstream requires is upstream's to say")
def test_no_schema_requires_anything(spec: dict[str, Any]) -> None:
    for name, schema in spec["components"]["schemas"].items():
        assert "required" not in schema, f"{name} requires {schema.get('required')}, which nothing documents"


@pytest.mark.parametrize(
    ("operation_id", "literal"),
    [("listInvoices", DOCUMENTED_LIST_INVOICES), ("getInvoice", DOCUMENTED_GET_INVOICE)],
)
def test_documented_bodies_are_examples_verbatim(spec: dict[str, Any], operation_id: str, literal: str) -> None:
    example = first_example(spec, operation_id)
    expected = json.loads(literal, parse_float=Decimal)
    assert json.loads(json.dumps(example), parse_float=Decimal) == expected
    assert list(example) == list(expected), "member order differs from the documented body"


def test_every_example_fits_its_schema_and_the_strict_layer(spec: dict[str, Any]) -> None:
    examples = response_examples(spec)
    assert len(examples) >= 12
    for found in examples:
        schema = {**spec["components"]["schemas"][found.schema_name], "components": spec["components"]}
        OAS30Validator(schema).validate(found.value)
        model: type[pydantic.BaseModel] = getattr(strict_models, found.schema_name)
        model.model_validate_json(json.dumps(found.value))


def test_strict_layer_gives_exact_money_and_real_dates() -> None:
    invoice = strict_models.Invoice.model_validate(json.loads(DOCUMENTED_GET_INVOICE, parse_float=Decimal))
    assert invoice.invoice_amount == Decimal("499.00")
    assert str(invoice.invoice_amount) == "499.00"
    assert invoice.invoice_date == date(2026, 3, 1)


@pytest.mark.parametrize(
    "body",
    [
        '{"invoiceNo": 603010}',
        '{"invoiceDate": "2026-13-01"}',
        '{"invoiceDate": "1 March 2026"}',
        '{"invoiceAmount": true}',
        '{"recurringProducts": 12}',
    ],
)
def test_strict_layer_rejects_wrong_types(body: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        strict_models.Invoice.model_validate(json.loads(body, parse_float=Decimal))


def test_strict_layer_takes_null_exactly_where_the_spec_says_nullable(spec: dict[str, Any]) -> None:
    properties = resolve(
        spec, spec_operation(spec, "getInvoice")["responses"]["200"]["content"]["application/json"]["schema"]
    )["properties"]
    for name, member in properties.items():
        body = json.dumps({name: None})
        if member.get("nullable") is True:
            strict_models.Invoice.model_validate_json(body)
        else:
            with pytest.raises(pydantic.ValidationError):
                strict_models.Invoice.model_validate_json(body)


def test_strict_layer_keeps_unknown_members() -> None:
    invoice = strict_models.Invoice.model_validate({"invoiceNo": "1", "dueDate": "2026-04-01"})
    assert invoice.model_extra == {"dueDate": "2026-04-01"}


def test_problem_types_are_recorded_once_with_typecodes_and_statuses(spec: dict[str, Any]) -> None:
    recorded = {entry["code"]: entry for entry in spec["x-payex-problem-types"]}
    assert {code: (entry["typecode"], entry["status"]) for code, entry in recorded.items()} == {
        "validation": ("billing/invoice/problems/validation", 400),
        "customer-not-found": ("billing/invoice/problems/customer-not-found", 404),
        "invoice-not-found": ("billing/invoice/problems/invoice-not-found", 404),
        "subscription-not-found": ("billing/invoice/problems/subscription-not-found", 404),
    }
    for _, operation in _operations(spec):
        assert set(operation["x-payex-problem-types"]) <= set(recorded)
        assert {"400", "401", "404", "500"} <= set(operation["responses"]), operation["operationId"]
        for status in ("400", "401", "404", "500"):
            assert set(resolve(spec, operation["responses"][status])["content"]) == {"application/problem+json"}


def test_problem_schema_accepts_both_casings(spec: dict[str, Any]) -> None:
    members = set(spec["components"]["schemas"]["Problem"]["properties"])
    for name in ("type", "title", "status", "detail", "instance", "problems"):
        assert {name, name.capitalize()} <= members


def test_security_and_servers(spec: dict[str, Any]) -> None:
    scheme = spec["components"]["securitySchemes"]["payexToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert scheme["x-payex-mutual-tls"] == "required"
    servers = {server["url"]: server["x-payex-provenance"] for server in spec["servers"]}
    assert servers["https://lf-api.payex.com"] == "documented"
    assert servers["https://api.sandbox.payex.com"] == "inferred"
    assert any(url.startswith("http://127.0.0.1") for url in servers)


def test_source_record_describes_the_committed_documents() -> None:
    spec_dir = SPEC_PATH.parent
    for key, name in (
        ("snapshot_sha256", "upstream.yaml"),
        ("overlay_sha256", "payex.overlay.yaml"),
        ("effective_sha256", "openapi.yaml"),
    ):
        assert RECORD[key] == hashlib.sha256((spec_dir / name).read_bytes()).hexdigest(), name
    assert RECORD["origin"] in {"upstream", "reconstruction"}
    if RECORD["origin"] == "reconstruction":
        assert "Reconstructed from PayEx's public documentation" in RECORD["note"]
    assert {"source", "sha256", "input_format", "input_version", "converter", "retrieved"} <= set(RECORD)


def test_the_upstream_document_carries_none_of_this_projects_knowledge() -> None:
    upstream = (SPEC_PATH.parent / "upstream.yaml").read_text()
    assert "x-payex-" not in upstream
