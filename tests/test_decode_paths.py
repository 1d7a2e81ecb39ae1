"""The fast decoding paths give what the slow ones gave: the exact models of a body with undeclared members are
the models themselves with their extras found lazily, the attrs models built from a plan equal `from_dict`'s, the
range of every number is checked however the body is read, and the collector pause leaves the collector as it was."""

from __future__ import annotations

import gc
import json
import pickle
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from payex_billing_invoice import BillingInvoiceClient, ResponseValidationError
from payex_billing_invoice import _decode as decode
from payex_billing_invoice._attrs_models import plan_of
from payex_billing_invoice._operations import ENDPOINTS, LIST_INVOICES, LIST_SUBSCRIPTION_RECURRING_PRODUCTS
from payex_billing_invoice._strict import out_of_range
from payex_billing_invoice_openapi import exact_models
from tests._fuzz_strategies import render, response_schemas, spec_bodies
from tests._hypothesis_profiles import FUZZ_SETTINGS

OWNER_NO = "xxx"
TOKEN = "t" * 24
PRODUCTS = f"/billing/invoice/v1/{OWNER_NO}/invoices/603010/subscriptions/4670/recurring-products"
INVOICE = {"invoiceNo": "603010", "invoiceDate": "2026-03-01", "invoiceAmount": 499.0}


def _product(index: int, **extra: Any) -> dict[str, Any]:
    return {"@id": f"{PRODUCTS}/{index}", "amount": 10.5 + index, "periodFrom": "2026-01-01", **extra}


def _products(*items: dict[str, Any], **extra: Any) -> bytes:
    return json.dumps({"items": list(items), "navigation": {"@id": PRODUCTS}, **extra}).encode()


@pytest.fixture
def client_for() -> Iterator[Any]:
    """A client whose every request is answered with the body given."""
    opened: list[BillingInvoiceClient] = []

    def serve(body: bytes) -> BillingInvoiceClient:
        headers = {"content-type": "application/json"}
        transport = httpx.MockTransport(lambda request: httpx.Response(200, headers=headers, content=body))
        client = BillingInvoiceClient(
            owner_no=OWNER_NO, token=TOKEN, base_url="https://api.invalid", transport=transport, max_retries=0
        )
        opened.append(client)
        return client

    yield serve
    for client in opened:
        client.close()


def test_undeclared_members_leave_the_models_their_own_classes() -> None:
    body = _products(_product(1, balance=12.5, dunning={"level": 2}), _product(2), links=["a"])
    lenient = decode.decode_exact(exact_models.RecurringProductList, body)
    declared_only = decode.decode_exact(exact_models.RecurringProductList, _products(_product(1), _product(2)))
    assert type(lenient) is exact_models.RecurringProductList
    assert {type(item) for item in lenient.items or ()} == {exact_models.RecurringProduct}
    assert lenient == declared_only
    assert pickle.loads(pickle.dumps(lenient.items)) == declared_only.items  # noqa: S301 - our own bytes


def test_undeclared_members_are_found_when_asked_for_even_after_the_body_s_root_is_gone() -> None:
    body = _products(_product(1, balance=12.5, dunning={"level": 2, "fee": 1e2}), _product(2), links=["a"])
    result = decode.decode_exact(exact_models.RecurringProductList, body)
    first, second = list(result.items or [])
    navigation = result.navigation
    assert result.model_extra == {"links": ["a"]}
    del result
    gc.collect()
    assert first.model_extra == {"balance": Decimal("12.5"), "dunning": {"level": 2, "fee": Decimal("1E+2")}}
    assert second.model_extra == {}
    assert isinstance(navigation, exact_models.Navigation)
    assert navigation.model_extra == {}
    assert first.to_builtins()["balance"] == "12.5"


def test_a_body_without_undeclared_members_hands_out_nothing() -> None:
    result = decode.decode_exact(exact_models.RecurringProductList, _products(_product(1)))
    assert all(not item.__dict__ for item in result.items or ())
    assert (result.items or [])[0].model_extra == {}


def test_an_undeclared_member_in_the_last_item_only_is_kept() -> None:
    body = _products(*(_product(index) for index in range(50)), _product(50, late=True))
    result = decode.decode_exact(exact_models.RecurringProductList, body)
    assert [item.model_extra for item in result.items or ()][-2:] == [{}, {"late": True}]


def test_the_lenient_pass_still_refuses_a_wrong_type_after_an_undeclared_member() -> None:
    body = _products(_product(1, extra=1), {"@id": f"{PRODUCTS}/2", "amount": "12.50"})
    with pytest.raises(decode.DecodeError, match=r"items\[1\]\.amount"):
        decode.decode_exact(exact_models.RecurringProductList, body)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param("1e-400", "items[1].amount", id="declared-underflow"),
        pytest.param("0e-99999", "items[1].amount", id="declared-zero-tiny-exponent"),
        pytest.param("1" + "0" * 250 + "e99", "items[1].amount", id="declared-long-mantissa"),
    ],
)
def test_a_declared_number_out_of_range_is_refused_naming_it(text: str, where: str) -> None:
    body = _products(_product(1)).replace(b'"amount": 11.5', b'"amount": 11.5}, {"amount": ' + text.encode(), 1)
    with pytest.raises(decode.DecodeError, match=where.replace("[", r"\[").replace("]", r"\]")):
        decode.decode_exact(exact_models.RecurringProductList, body)
    with pytest.raises(decode.DecodeError):
        decode.decode_model(LIST_SUBSCRIPTION_RECURRING_PRODUCTS.model, exact_models.RecurringProductList, body)


@pytest.mark.parametrize("text", ["1e-400", "1e400", "1" + "0" * 250 + "e99", "1" + "0" * 400, "-0." + "0" * 400 + "1"])
@pytest.mark.parametrize("endpoint", [LIST_INVOICES, LIST_SUBSCRIPTION_RECURRING_PRODUCTS], ids=lambda e: e.method_name)
def test_an_undeclared_number_out_of_range_is_refused_on_every_path(text: str, endpoint: Any, client_for: Any) -> None:
    body = (
        json.dumps({"items": [{"@id": "/x", "odd": {"deep": ["ALIAS"]}}]}).encode().replace(b'"ALIAS"', text.encode())
    )
    client = client_for(body)
    call = getattr(client, endpoint.method_name)
    exact_call = getattr(client.exact, endpoint.method_name)
    arguments = () if endpoint is LIST_INVOICES else ("603010", "4670")
    for method in (call, exact_call):
        with pytest.raises(ResponseValidationError, match="out of range"):
            method(*arguments)


@pytest.mark.parametrize(
    "text",
    ['"deadbeefe123456"', '"' + "7" * 400 + '"', '"1e400"', "1.5e300", "12e-99"],
    ids=["hex-id", "long-digit-string", "number-like-string", "large-double", "small-double"],
)
def test_text_that_looks_out_of_range_but_is_not_passes(text: str) -> None:
    body = f'{{"items": [{{"@id": "/x", "odd": {text}}}]}}'.encode()
    assert out_of_range(body) is None
    result = decode.decode_exact(exact_models.InvoiceList, body)
    assert (result.items or [])[0].model_extra == {"odd": json.loads(text, parse_float=Decimal)}


def test_every_operation_has_an_attrs_plan() -> None:
    assert all(plan_of(endpoint.model, endpoint.exact_model) is not None for endpoint in ENDPOINTS.values())


@FUZZ_SETTINGS
@given(data=st.data())
def test_the_attrs_plan_builds_what_from_dict_builds(spec: dict[str, Any], data: st.DataObject) -> None:
    schemas = response_schemas(spec)
    endpoint = data.draw(st.sampled_from(sorted(ENDPOINTS.values(), key=lambda e: e.path_template)), label="operation")
    text = render(data.draw(spec_bodies(schemas[endpoint.operation_id], full=True), label="body"))
    plan = plan_of(endpoint.model, endpoint.exact_model)
    assert plan is not None
    built = plan.build(plan.decoder.decode(text.encode()))
    expected = endpoint.model.from_dict(json.loads(text))
    assert built == expected
    assert repr(built) == repr(expected)  # `499` stays an int and `499.0` a float, as json.loads reads them


def test_decode_model_keeps_undeclared_members_in_additional_properties() -> None:
    body = _products(_product(1, balance=2.5), _product(2))
    model = decode.decode_model(LIST_SUBSCRIPTION_RECURRING_PRODUCTS.model, exact_models.RecurringProductList, body)
    assert model.to_dict() == json.loads(body)
    assert model == LIST_SUBSCRIPTION_RECURRING_PRODUCTS.model.from_dict(json.loads(body))


def test_a_plan_is_not_made_for_a_member_of_an_unknown_kind() -> None:
    class Odd(msgspec.Struct):
        kind: Any = None

    assert plan_of(LIST_INVOICES.model, Odd) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [decode.PAUSE_FROM_BYTES - 1, decode.PAUSE_FROM_BYTES])
def test_the_collector_pause_restores_the_collector(size: int) -> None:
    assert gc.isenabled()
    with decode.collector_paused(size):
        assert gc.isenabled() is (size < decode.PAUSE_FROM_BYTES)
    assert gc.isenabled()
    with pytest.raises(RuntimeError), decode.collector_paused(size):
        raise RuntimeError
    assert gc.isenabled()


def test_the_collector_pause_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with decode.collector_paused(decode.PAUSE_FROM_BYTES):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
