"""`payex_billing_invoice.testing`: the fake serves the spec's examples and problems; all it serves fits the spec."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from payex_billing_invoice import (
    ApiConnectionError,
    ApiTimeoutError,
    ClientConfigurationError,
    CustomerNotFound,
    InvoiceNotFound,
    RateLimitError,
    ServerError,
    SubscriptionNotFound,
    ValidationProblem,
    present,
)
from payex_billing_invoice._cli_mock import serving_fake
from payex_billing_invoice._operations import ENDPOINTS
from payex_billing_invoice._routes import build_path
from payex_billing_invoice.testing import (
    FAKE_TOKEN,
    FakeInvoice,
    FakePayEx,
    FakeRecurringProduct,
    FakeSubscription,
    Fault,
)
from pipeline.overlay_alignment import spec_operation
from pipeline.package_spec import PACKAGED, packaged_text
from tests._examples import first_example, resolve
from tests._prism import ROOT

CONSUMER_SUITE = Path(__file__).parent / "consumer" / "test_uses_payex_fake.py"
HEADERS = {"Authorization": f"Bearer {FAKE_TOKEN}"}


def _example_segments(spec: dict[str, Any], operation_id: str) -> dict[str, str]:
    """The path segments of the operation's parameter examples (e.g. invoiceNo 603010)."""
    names = {"invoiceNo": "invoice_no", "subscriptionNo": "subscription_no"}
    parameters = spec_operation(spec, operation_id)["parameters"]
    return {names[p["name"]]: p["example"] for p in parameters if p["name"] in names}


def _get(fake: FakePayEx, path: str) -> httpx.Response:
    with httpx.Client(transport=fake, base_url=fake.base_url) as http:
        return http.get(path, headers=HEADERS)


def check_against_spec(spec: dict[str, Any], operation_id: str | None, response: httpx.Response) -> None:
    """The response fits the operation's declared response for its status (a 5xx the `500` one, "any 5xx")."""
    body = json.loads(response.content)
    media_type = response.headers["content-type"]
    if operation_id is None:
        schema = spec["components"]["schemas"]["Problem"]
        assert media_type == "application/problem+json"
    else:
        responses = spec_operation(spec, operation_id)["responses"]
        status = str(response.status_code)
        declared = responses.get(status) or responses.get("500" if status.startswith("5") else "400")
        content = resolve(spec, declared)["content"]
        assert media_type in content, f"{operation_id} {status}: {media_type} is not declared"
        schema = resolve(spec, content[media_type]["schema"])
    OAS30Validator({**schema, "components": spec["components"]}).validate(body)


@pytest.fixture
def served(spec: dict[str, Any]) -> Iterator[list[tuple[str | None, httpx.Response]]]:
    """Every response a fake gives during the test; each one is checked against the spec afterwards."""
    seen: list[tuple[str | None, httpx.Response]] = []
    original = FakePayEx._answer

    def recording(self: FakePayEx, request: httpx.Request) -> httpx.Response:
        response = original(self, request)
        operation = self.requests[-1].operation
        seen.append((None if operation is None else _operation_id(operation), response))
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FakePayEx, "_answer", recording)
        yield seen
    for operation_id, response in seen:
        check_against_spec(spec, operation_id, response)


def _operation_id(method_name: str) -> str:
    return next(e.operation_id for e in ENDPOINTS.values() if e.method_name == method_name)


def test_the_packaged_spec_is_the_effective_spec() -> None:
    assert PACKAGED.read_text(encoding="utf-8") == packaged_text()


@pytest.mark.parametrize("operation_id", list(ENDPOINTS))
def test_by_default_each_operation_serves_its_documented_example(
    spec: dict[str, Any], served: list[Any], operation_id: str
) -> None:
    path = build_path(operation_id, owner_no="xxx", **_example_segments(spec, operation_id))
    response = _get(FakePayEx(), path)
    assert response.status_code == 200
    assert json.loads(response.content, parse_float=Decimal) == json.loads(
        json.dumps(first_example(spec, operation_id)), parse_float=Decimal
    )


@pytest.mark.parametrize("operation_id", list(ENDPOINTS))
def test_unknown_ids_get_the_documented_problems(spec: dict[str, Any], served: list[Any], operation_id: str) -> None:
    fake = FakePayEx()
    segments = _example_segments(spec, operation_id)
    expected = {"customer-not-found": build_path(operation_id, owner_no="other", **segments)}
    if "invoice_no" in segments:
        expected["invoice-not-found"] = build_path(operation_id, owner_no="xxx", **segments | {"invoice_no": "999999"})
    if "subscription_no" in segments:
        unknown = segments | {"subscription_no": "999"}
        expected["subscription-not-found"] = build_path(operation_id, owner_no="xxx", **unknown)
    problem_types = {entry["code"]: entry for entry in spec["x-payex-problem-types"]}
    for code, path in expected.items():
        problem = json.loads(_get(fake, path).content)
        assert problem["type"] == problem_types[code]["typecode"]
        assert problem["status"] == problem_types[code]["status"] == 404
        assert problem["instance"]
        assert code in spec_operation(spec, operation_id)["x-payex-problem-types"]


def test_what_it_serves_for_own_data_and_scripted_failures_fits_the_spec(served: list[Any]) -> None:
    fake = FakePayEx(examples=False)
    product = FakeRecurringProduct("P-1", "Fee", Decimal("12345678901234567890.123456789"), "SEK", date(2026, 1, 1))
    fake.add_invoice(FakeInvoice("0000003", date(2026, 1, 31), recurring_products=(product,)))
    fake.add_subscription("0000003", FakeSubscription("+46 70/1"))
    fake.add_recurring_product("0000003", FakeRecurringProduct(amount=Decimal("-0.01")), subscription_no="+46 70/1")
    with fake.client(max_retries=0) as client:
        lines = client.invoice_lines("0000003")
        assert lines.total == lines.invoice.invoice_amount == Decimal("12345678901234567890.113456789")
        client.get_subscription("0000003", "+46 70/1")
        for code, error in (
            ("validation", ValidationProblem),
            ("customer-not-found", CustomerNotFound),
            ("invoice-not-found", InvoiceNotFound),
            ("subscription-not-found", SubscriptionNotFound),
        ):
            fake.fail_next(code, problems={"invoiceNo": "Not a valid invoice number"}, detail="staged")
            with pytest.raises(error):
                client.get_subscription("0000003", "+46 70/1")
        for status in (400, 401, 403, 409, 422, 429, 500, 502, 503, 504):
            fake.fail_next(status=status)
            with pytest.raises(Exception, match=str(status)):
                client.list_invoices()
    assert _get(fake, "/somewhere/else").status_code == 404
    with httpx.Client(transport=fake, base_url=fake.base_url) as http:
        assert http.get(build_path("listInvoices", owner_no="xxx")).status_code == 401


@pytest.fixture(params=["transport", "http"])
def fake_http(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """A client of a fresh fake: as the httpx transport, or served over HTTP on loopback (the `mock` command)."""
    fake = FakePayEx()
    if request.param == "transport":
        with httpx.Client(transport=fake, base_url=fake.base_url, headers=HEADERS) as http:
            yield http
        return
    with serving_fake(fake) as url, httpx.Client(base_url=url, headers=HEADERS, trust_env=False) as http:
        yield http


def test_head_is_get_without_a_body_and_other_methods_are_405_with_allow(fake_http: httpx.Client) -> None:
    path = build_path("getInvoice", owner_no="xxx", invoice_no="603010")
    get = fake_http.get(path)
    head = fake_http.head(path)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"] == "application/json"
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        refused = fake_http.request(method, path, content=b"{}")
        assert refused.status_code == 405, method
        assert refused.headers["allow"] == "GET, HEAD"
        assert json.loads(refused.content)["title"].endswith("takes only GET")
    assert fake_http.get(path).content == get.content


def test_faults_are_retried_without_sleeping(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    fake = FakePayEx()
    fake.fail_next(fault=Fault.CONNECTION_RESET)
    fake.fail_next(fault=Fault.TIMEOUT)
    with fake.client() as client:
        assert client.get_invoice("603010").invoice_no == "603010"
    assert [r.status_code for r in fake.requests] == [None, None, 200]
    fake.fail_next(fault=Fault.UNAVAILABLE)
    with fake.client() as client:
        assert client.get_invoice("603010").invoice_no == "603010"
    assert [r.status_code for r in fake.requests[3:]] == [503, 200]
    assert set(slept) == {0}


async def test_the_async_client_gets_the_same_faults() -> None:
    fake = FakePayEx()
    fake.fail_next(fault=Fault.TIMEOUT, operation="listSubscriptionRecurringProducts")
    fake.fail_next(fault=Fault.CONNECTION_RESET, operation="get_invoice")
    async with fake.async_client(max_retries=0) as client:
        with pytest.raises(ApiTimeoutError):
            await client.list_subscription_recurring_products("603010", "46701234567")
        with pytest.raises(ApiConnectionError):
            await client.get_invoice("603010")
        assert (await client.get_invoice("603010")).invoice_no == "603010"


def test_a_staged_503_says_when_to_retry_and_a_429_can_too() -> None:
    fake = FakePayEx()
    fake.fail_next(fault=Fault.UNAVAILABLE)
    fake.fail_next(status=429, retry_after=7)
    with fake.client(max_retries=0) as client:
        with pytest.raises(ServerError) as unavailable:
            client.list_invoices()
        with pytest.raises(RateLimitError) as limited:
            client.list_invoices()
    assert (unavailable.value.status_code, unavailable.value.headers["retry-after"]) == (503, "1")
    assert limited.value.headers["retry-after"] == "7"


def test_a_failure_for_one_operation_leaves_the_others_alone() -> None:
    fake = FakePayEx()
    fake.fail_next("validation", operation="list_recurring_products", times=2)
    with fake.client() as client:
        client.get_invoice("603010")
        for _ in range(2):
            with pytest.raises(ValidationProblem):
                client.list_recurring_products("603010")
        client.list_recurring_products("603010")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "exactly one of"),
        ({"problem": "nope"}, "unknown problem type"),
        ({"status": 200}, "error status"),
        ({"status": 500, "times": 0}, "at least 1"),
        ({"status": 500, "operation": "delete_invoice"}, "unknown operation"),
    ],
)
def test_fail_next_refuses_what_it_cannot_stage(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FakePayEx().fail_next(**arguments)


def test_typed_data_is_checked_and_secrets_stay_out_of_reprs() -> None:
    with pytest.raises(TypeError, match="amount"):
        FakeRecurringProduct(amount=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        FakeInvoice("1", invoice_amount=Decimal("NaN"))
    with pytest.raises(ValueError, match="add_invoice"):
        FakePayEx().add_subscription("1", FakeSubscription("2"))
    with pytest.raises(ValueError, match="transport"):
        FakePayEx().client(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    fake = FakePayEx()
    with fake.client() as client:
        client.list_invoices()
    assert FAKE_TOKEN not in repr(fake.requests)


def _pytest_passes(folder: Path, python: str = sys.executable) -> str:
    """Run pytest on `folder` as a service's suite runs, under `-W error`; its summary line."""
    result = subprocess.run(
        [python, "-m", "pytest", "-W", "error", "-q", "-p", "no:cacheprovider", "-p", "no:asyncio", str(folder)],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_consumer_suite_passes_with_the_fixture_under_w_error(tmp_path: Path) -> None:
    shutil.copy(CONSUMER_SUITE, tmp_path / "test_consumer.py")
    assert "passed" in _pytest_passes(tmp_path)


def test_the_readme_testing_example_passes(tmp_path: Path) -> None:
    section = (ROOT / "README.md").read_text().split("## Testing code that uses the client", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the README lost its testing example"
    (tmp_path / "test_readme_example.py").write_text(match.group(1))
    assert "3 passed" in _pytest_passes(tmp_path)


def test_the_fixture_comes_from_the_installed_entry_point() -> None:
    from importlib.metadata import entry_points  # noqa: PLC0415

    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "payex_billing_invoice"]
    assert plugin.value == "payex_billing_invoice._pytest_plugin"
    assert "pytest" not in subprocess.run(
        [sys.executable, "-c", "import sys, payex_billing_invoice.testing; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split("'")


def test_an_invoice_with_no_lines_and_no_amount_invents_none(served: list[Any]) -> None:
    with FakePayEx().client() as client:
        invoice = client.exact.get_invoice("603012")
        lines = client.invoice_lines("603012")
    assert present(invoice.invoice_amount) is None
    assert invoice.invoice_date == date(2026, 4, 1)
    assert not lines.recurring_products
    assert not lines.subscriptions
    assert lines.total == Decimal(0)


@pytest.mark.parametrize("factory", ["client", "async_client"])
def test_a_misspelt_client_option_is_a_configuration_error_naming_it(factory: str) -> None:
    with pytest.raises(ClientConfigurationError, match=r"takes no option 'max_retry'"):
        getattr(FakePayEx(), factory)(max_retry=1)


def test_a_client_option_reaches_the_client() -> None:
    with FakePayEx().client(max_retries=0, tracking_header=None) as client:
        assert client.get_invoice("603010").invoice_no == "603010"
