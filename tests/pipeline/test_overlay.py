"""The overlay: Overlay 1.0 semantics, stale actions, and the effective document of every document of the kind."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pipeline._effective import EffectiveDocumentError, build_effective, prepare
from pipeline._overlay import OverlayDocumentError, StaleOverlayError, apply_overlay
from pipeline.fetch_spec import build_snapshot, load_yaml
from pipeline.generate import generate
from pipeline.overlay_alignment import overlay_alignment, spec_operation, spec_operations
from tests.pipeline._swashbuckle import (
    SAMPLE,
    as_openapi31,
    as_swagger2,
    media_types_reordered,
    sample_document,
    schemas_renamed,
    without_operation_ids,
)
from tests.pipeline.conftest import ROOT

SPEC_DIR = ROOT / "spec"
OVERLAY: dict[str, Any] = load_yaml((SPEC_DIR / "payex.overlay.yaml").read_text(encoding="utf-8"))
UPSTREAM: dict[str, Any] = load_yaml((SPEC_DIR / "upstream.yaml").read_text(encoding="utf-8"))
EFFECTIVE: dict[str, Any] = load_yaml((SPEC_DIR / "openapi.yaml").read_text(encoding="utf-8"))
OPERATION_IDS = {
    ("GET", "/billing/invoice/v1/{ownerNo}/invoices"): "listInvoices",
    ("GET", "/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}"): "getInvoice",
    ("GET", "/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/recurring-products"): "listInvoiceRecurringProducts",
    ("GET", "/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/subscriptions"): "listInvoiceSubscriptions",
    (
        "GET",
        "/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/subscriptions/{subscriptionNo}",
    ): "getInvoiceSubscription",
    (
        "GET",
        "/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/subscriptions/{subscriptionNo}/recurring-products",
    ): "listSubscriptionRecurringProducts",
}
needs_sample = pytest.mark.skipif(not SAMPLE.is_file(), reason=f"no sample document at {SAMPLE}")


def overlay_of(*actions: dict[str, Any]) -> dict[str, Any]:
    """An Overlay 1.0 document with these actions."""
    return {"overlay": "1.0.0", "info": {"title": "test", "version": "1"}, "actions": list(actions)}


# Overlay 1.0 semantics


def test_update_merges_objects_recursively_and_appends_to_arrays() -> None:
    document = {"info": {"title": "A", "x": {"keep": 1}}, "tags": [{"name": "a"}]}
    result = apply_overlay(
        document,
        overlay_of(
            {"target": "$.info", "update": {"title": "B", "x": {"added": 2}, "list": [1]}},
            {"target": "$.tags", "update": {"name": "b"}},
            {"target": "$.info.list", "update": [2, 3]},
        ),
    )
    assert result.document == {
        "info": {"title": "B", "x": {"keep": 1, "added": 2}, "list": [1, [2, 3]]},
        "tags": [{"name": "a"}, {"name": "b"}],
    }
    assert result.stale == ()
    assert result.matches == (1, 1, 1)
    assert document == {"info": {"title": "A", "x": {"keep": 1}}, "tags": [{"name": "a"}]}, "the input is untouched"


def test_remove_deletes_every_selected_node_and_actions_run_in_order() -> None:
    document = {"paths": {"/a": {"get": {"tags": ["x"]}}, "/b": {"get": {"tags": ["y"]}}}, "list": [0, 1, 2, 3]}
    result = apply_overlay(
        document,
        overlay_of(
            {"target": "$.paths.*.get.tags", "remove": True},
            {"target": "$.list[?@ == 1 || @ == 3]", "remove": True},
            {"target": "$.paths.*.get", "update": {"tags": ["ours"]}},
        ),
    )
    assert result.document == {
        "paths": {"/a": {"get": {"tags": ["ours"]}}, "/b": {"get": {"tags": ["ours"]}}},
        "list": [0, 2],
    }


def test_the_root_can_be_merged_but_not_removed() -> None:
    assert apply_overlay({"a": 1}, overlay_of({"target": "$", "update": {"b": 2}})).document == {"a": 1, "b": 2}
    with pytest.raises(OverlayDocumentError, match="root of the document cannot be removed"):
        apply_overlay({"a": 1}, overlay_of({"target": "$", "remove": True}))


def test_every_stale_action_is_reported_and_normalizations_may_find_nothing() -> None:
    result = apply_overlay(
        {"paths": {}},
        overlay_of(
            {"target": "$.paths['/gone'].get", "description": "first", "update": {"operationId": "x"}},
            {"target": "$.paths.*.get.tags", "remove": True, "x-payex-may-match-nothing": True},
            {"target": "$.components.schemas", "update": {}},
        ),
    )
    assert [str(action) for action in result.stale] == [
        "actions[0] $.paths['/gone'].get (first)",
        "actions[2] $.components.schemas",
    ]
    with pytest.raises(StaleOverlayError, match=r"2 overlay action\(s\) select nothing") as caught:
        build_effective(
            UPSTREAM,
            {
                **OVERLAY,
                "actions": [
                    *OVERLAY["actions"],
                    *overlay_of(
                        {"target": "$.paths['/gone'].get", "update": {}}, {"target": "$.nowhere", "update": {}}
                    )["actions"],
                ],
            },
        )
    assert [action.target for action in caught.value.stale] == ["$.paths['/gone'].get", "$.nowhere"]


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        ({**overlay_of({"target": "$", "update": {}}), "overlay": "2.0.0"}, "overlay: expected one of"),
        ({"overlay": "1.0.0", "info": {"title": "t"}, "actions": [{"target": "$"}]}, "info.title and info.version"),
        (overlay_of(), "a non-empty list of actions"),
        (overlay_of({"target": "$", "update": {}, "remove": True}), r"actions\[0\]: an action has either"),
        (overlay_of({"target": "$", "remove": "yes"}), r"actions\[0\]: remove must be true or false"),
        (overlay_of({"target": "$.a[", "update": {}}), r"actions\[0\]: target '\$\.a\[' is not an RFC 9535"),
        (overlay_of({"target": "$", "update": {}}, {"target": "$", "patch": {}}), r"actions\[1\]: unknown field"),
        (overlay_of({"update": {}}), r"actions\[0\]: target must be a JSONPath query"),
    ],
)
def test_an_invalid_overlay_document_is_refused_with_its_place(overlay: dict[str, Any], message: str) -> None:
    with pytest.raises(OverlayDocumentError, match=message):
        apply_overlay({}, overlay)


# The effective document


def test_the_committed_effective_document_is_upstream_plus_overlay() -> None:
    assert build_effective(UPSTREAM, OVERLAY) == EFFECTIVE


def test_preparing_resolves_references_and_keeps_a_recursive_one() -> None:
    node = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}}
    document: dict[str, Any] = {
        "paths": {"/a": {"parameters": [{"$ref": "#/components/parameters/id"}], "get": {"responses": {}}}},
        "components": {
            "parameters": {
                "id": {"name": "id", "in": "path", "required": True, "schema": {"$ref": "#/components/schemas/Node"}}
            },
            "schemas": {"Node": node},
            "securitySchemes": {"Bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
    prepared = prepare(document)
    parameter = prepared["paths"]["/a"]["get"]["parameters"][0]
    assert parameter["schema"] == node
    assert prepared["components"] == {
        "securitySchemes": {"Bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Node": node},
    }


def _kinds() -> dict[str, Callable[[], dict[str, Any]]]:
    return {
        "sample": sample_document,
        "no operationIds": lambda: without_operation_ids(sample_document()),
        "other schema names": lambda: schemas_renamed(sample_document()),
        "text/json first": lambda: media_types_reordered(sample_document()),
        "openapi 3.1": lambda: as_openapi31(schemas_renamed(sample_document())),
        "reconstruction, no operationIds, other names": lambda: schemas_renamed(without_operation_ids(UPSTREAM)),
    }


def _effective_of(document: dict[str, Any]) -> dict[str, Any]:
    snapshot = build_snapshot(json.dumps(document).encode(), name="upstream.json", root=ROOT)
    return build_effective(load_yaml(snapshot.content.decode()), OVERLAY)


def _assert_effective_is_ours(effective: dict[str, Any]) -> None:
    operations = spec_operations(effective)
    assert {key: operation.get("operationId") for key, operation in operations.items()} == OPERATION_IDS
    assert overlay_alignment(effective) == []
    assert set(effective["components"]["schemas"]) == set(EFFECTIVE["components"]["schemas"])
    assert [entry["code"] for entry in effective["x-payex-problem-types"]] == [
        "validation",
        "customer-not-found",
        "invoice-not-found",
        "subscription-not-found",
    ]
    for operation in operations.values():
        assert set(operation["responses"]["200"]["content"]) == {"application/json"}
        assert operation["tags"] == ["invoices"]
    for operation_id in ("listInvoices", "getInvoice"):
        ours = spec_operation(EFFECTIVE, operation_id)["responses"]["200"]["content"]["application/json"]["examples"]
        theirs = spec_operation(effective, operation_id)["responses"]["200"]["content"]["application/json"]
        assert json.loads(json.dumps(theirs["examples"]), parse_float=Decimal) == json.loads(
            json.dumps(ours), parse_float=Decimal
        )


@needs_sample
@pytest.mark.parametrize("kind", list(_kinds()))
def test_every_document_of_the_kind_gets_our_names_and_knowledge(kind: str) -> None:
    _assert_effective_is_ours(_effective_of(_kinds()[kind]()))


@needs_sample
@pytest.mark.parametrize(
    "change", [lambda d: d, without_operation_ids, schemas_renamed], ids=["as is", "no operationIds", "other names"]
)
def test_swagger_2_documents_of_the_kind_too(change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    effective = _effective_of(as_swagger2(change(sample_document())))
    _assert_effective_is_ours(effective)
    invoice = effective["components"]["schemas"]["Invoice"]["properties"]
    assert invoice["recurringProducts"]["type"] == "string", "a dynamic member (type: object) becomes the link string"
    assert invoice["invoiceNo"].get("nullable") is True, "x-nullable is kept as nullable"


@needs_sample
def test_upstream_nullability_is_kept_and_bodies_are_opened() -> None:
    effective = _effective_of(sample_document())
    product = effective["components"]["schemas"]["RecurringProduct"]
    assert product["properties"]["productNo"]["nullable"] is True
    assert "nullable" not in product["properties"]["amount"]
    assert product["properties"]["quantity"] == {"type": "integer", "format": "int32"}
    assert all(
        schema.get("additionalProperties") is not False for schema in effective["components"]["schemas"].values()
    )


@needs_sample
def test_generated_names_do_not_depend_on_upstream_names(tmp_path: Path) -> None:
    committed = ROOT / "generated" / "payex_billing_invoice_openapi"
    for index, document in enumerate(
        (as_swagger2(schemas_renamed(without_operation_ids(sample_document()))), sample_document())
    ):
        spec = tmp_path / f"openapi-{index}.yaml"
        spec.write_text(json.dumps(_effective_of(document)), encoding="utf-8")
        package = generate(spec, tmp_path / f"out-{index}")
        assert _python_files(package) == _python_files(committed)
        strict = (package / "strict_models.py").read_text(encoding="utf-8")
        for name in EFFECTIVE["components"]["schemas"]:
            assert f"class {name}(" in strict


def _python_files(package: Path) -> list[str]:
    return sorted(str(path.relative_to(package)) for path in package.rglob("*.py"))


PRODUCT_LISTS = (
    "/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/recurring-products",
    "/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/subscriptions/{subscriptionNo}/recurring-products",
)


def _product_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    """The recurring product of an operation's 200 body, in a prepared (reference-free) document."""
    body: dict[str, Any] = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    product: dict[str, Any] = body["properties"]["items"]["items"]
    return product


def test_two_different_bodies_under_one_title_are_refused() -> None:
    document = prepare(UPSTREAM)
    _product_schema(document, PRODUCT_LISTS[1])["properties"]["unitCount"] = {"type": "integer"}
    with pytest.raises(EffectiveDocumentError, match="two different schemas are titled 'RecurringProduct'"):
        build_effective(document, OVERLAY)


def test_a_stale_action_fails_the_fetch_naming_it_and_writes_nothing(spec_dir: Path, tmp_path: Path) -> None:
    document = copy.deepcopy(UPSTREAM)
    item = document["paths"].pop("/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}")
    document["paths"]["/billing/invoice/v1/{ownerNo}/invoice/{invoiceNo}"] = item
    source = tmp_path / "upstream.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    before = {path.name: path.read_bytes() for path in spec_dir.iterdir()}

    result = subprocess.run(
        [sys.executable, "-m", "pipeline.fetch_spec", str(source), "--spec-dir", str(spec_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert result.stderr.startswith("fetch_spec: error: 3 overlay action(s) select nothing in the API document: ")
    assert "$.paths['/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}'].get (Get one invoice.)" in result.stderr
    assert {path.name: path.read_bytes() for path in spec_dir.iterdir()} == before


def test_a_renamed_member_stales_the_actions_about_it_and_a_required_query_parameter_reaches_the_contract() -> None:
    document = prepare(UPSTREAM)
    for path in PRODUCT_LISTS:
        product = _product_schema(document, path)["properties"]
        product["price"] = product.pop("amount")
    with pytest.raises(StaleOverlayError) as caught:
        build_effective(document, OVERLAY)
    assert [action.target.rsplit(".", 1)[-1] for action in caught.value.stale] == ["amount"]

    document = copy.deepcopy(UPSTREAM)
    operation = document["paths"]["/billing/invoice/v1/{ownerNo}/invoices"]["get"]
    operation["parameters"].append(
        {"name": "customerNo", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    assert overlay_alignment(build_effective(document, OVERLAY)) == [
        "operation GET /billing/invoice/v1/{ownerNo}/invoices: requires query parameter customerNo, "
        "which the facade does not send"
    ]
