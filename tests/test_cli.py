"""The `payex-billing-invoice` command line, run as a subprocess against Prism and against a faulty server."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from payex_billing_invoice import (
    ENV_BASE_URL,
    ENV_CLIENT_CERT,
    ENV_CLIENT_KEY,
    ENV_OWNER_NO,
    ENV_TOKEN,
    ROUTE_TEMPLATES,
)
from payex_billing_invoice._cli import EXIT_CODES
from tests._examples import first_example
from tests._fault_server import (
    Action,
    CloseWithoutResponse,
    FaultServer,
    RecordedRequest,
    ResetMidBody,
    Respond,
    StallBeforeHeaders,
)
from tests._prism import free_port

TOKEN = "tok-CLI-SECRET-5a4b3c2d1e"
OWNER_NO = "xxx"
INVOICE_NO = "603010"
SUBSCRIPTION_NO = "46701234567"
INSTANCE = "7c6f1e2d-3b4a-4f5e-9d8c-1a2b3c4d5e6f"
RUN_SECONDS = 60.0
PROBLEM_JSON = "application/problem+json"


def cli(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line with no PayEx settings in its environment but `env`; stdout and stderr captured."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PAYEX_BILLING_")}
    return subprocess.run(
        [sys.executable, "-m", "payex_billing_invoice", *args],
        capture_output=True,
        text=True,
        env={**clean, "COLUMNS": "160", **(env or {})},
        timeout=RUN_SECONDS,
        check=False,
    )


def at(url: str, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command line against `url`, with the test owner and token and no retries."""
    return cli("--base-url", url, "--owner", OWNER_NO, "--token", TOKEN, "--retries", "0", *args, env=env)


def sealed(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """`result`, after checking that the token shows nowhere in its output."""
    assert TOKEN not in result.stdout
    assert TOKEN not in result.stderr
    return result


def exact(value: float | str) -> Decimal:
    """A spec number or a JSON decimal string as an exact `Decimal`."""
    return Decimal(str(value))


def words(text: str) -> str:
    """`text` with every run of whitespace made one space."""
    return " ".join(text.split())


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


def problem(kind: str, status: int, title: str, **extra: Any) -> Respond:
    body = {"type": f"billing/invoice/problems/{kind}", "title": title, "status": status, "instance": INSTANCE}
    return Respond.json({**body, **extra}, status, content_type=PROBLEM_JSON)


# Against Prism serving the committed spec


@pytest.mark.prism
def test_invoices_lists_the_example(prism_url: str, spec: dict[str, Any]) -> None:
    result = sealed(at(prism_url, "invoices"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for item in first_example(spec, "listInvoices")["items"]:
        assert re.search(rf"{item['invoiceNo']}\s+{item['invoiceDate']}\s+{re.escape(item['@id'])}", result.stdout)


@pytest.mark.prism
def test_invoices_json_is_the_example(prism_url: str, spec: dict[str, Any]) -> None:
    result = sealed(at(prism_url, "invoices", "--json"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == first_example(spec, "listInvoices")


@pytest.mark.prism
def test_invoice_shows_every_member(prism_url: str, spec: dict[str, Any]) -> None:
    result = sealed(at(prism_url, "invoice", INVOICE_NO))
    assert result.returncode == 0, result.stderr
    expected = first_example(spec, "getInvoice")
    assert re.search(r"invoiceAmount\s+499\.00\b", result.stdout)
    for name in ("invoiceNo", "invoiceDate", "recurringProducts", "subscriptions"):
        assert re.search(rf"{name}\s+{re.escape(expected[name])}", result.stdout)


@pytest.mark.prism
def test_invoice_json_has_exact_amounts_and_iso_dates(prism_url: str, spec: dict[str, Any]) -> None:
    result = sealed(cli("--base-url", prism_url, "--owner", OWNER_NO, "--token", TOKEN, "--json", "invoice", "603010"))
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    expected = first_example(spec, "getInvoice")
    assert isinstance(shown["invoiceAmount"], str)
    assert exact(shown["invoiceAmount"]) == exact(expected["invoiceAmount"])
    assert shown["invoiceDate"] == expected["invoiceDate"] == "2026-03-01"
    assert {key: value for key, value in shown.items() if key != "invoiceAmount"} == {
        key: value for key, value in expected.items() if key != "invoiceAmount"
    }


@pytest.mark.prism
def test_lines_json_has_every_line_and_exact_totals(prism_url: str, spec: dict[str, Any]) -> None:
    result = sealed(at(prism_url, "lines", INVOICE_NO, "--json"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    shown = json.loads(result.stdout)
    customer = first_example(spec, "listInvoiceRecurringProducts")["items"]
    subscription = first_example(spec, "getInvoiceSubscription")
    products = first_example(spec, "listSubscriptionRecurringProducts")["items"]
    assert exact(shown["invoice"]["invoiceAmount"]) == exact(first_example(spec, "getInvoice")["invoiceAmount"])
    assert [exact(item["amount"]) for item in shown["recurringProducts"]] == [exact(i["amount"]) for i in customer]
    assert [item["periodFrom"] for item in shown["recurringProducts"]] == [i["periodFrom"] for i in customer]
    [only] = shown["subscriptions"]
    assert only["subscription"] == subscription
    assert [exact(item["amount"]) for item in only["recurringProducts"]] == [exact(i["amount"]) for i in products]
    customer_total = sum((exact(item["amount"]) for item in customer), Decimal(0))
    subscription_total = sum((exact(item["amount"]) for item in products), Decimal(0))
    assert exact(shown["recurringProductsTotal"]) == customer_total
    assert exact(only["total"]) == subscription_total
    assert exact(shown["total"]) == customer_total + subscription_total == Decimal("499")
    amounts = [shown["total"], only["total"], *(item["amount"] for item in shown["recurringProducts"])]
    assert all(isinstance(amount, str) for amount in amounts)


@pytest.mark.prism
def test_lines_table_groups_by_level_with_totals(prism_url: str) -> None:
    result = sealed(at(prism_url, "lines", INVOICE_NO))
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "no progress indicator when stderr is not a terminal"
    out = result.stdout
    assert "Invoice 603010 of 2026-03-01" in out
    subscription = re.search(rf"Subscription\s+{SUBSCRIPTION_NO}", out)
    assert subscription is not None
    assert out.index("Customer") < out.index("BROADBAND-100") < subscription.start() < out.index("MOBILE-UNLIMITED")
    assert re.search(r"Broadband 100/100\s+2026-02-01/2026-02-28\s+399\.00 SEK", out)
    assert re.search(r"subtotal\s+100\.00 SEK", out)
    assert re.search(r"Total\s+499\.00 SEK", out)
    assert "Invoice amount 499.00: the lines add up to it." in out


@pytest.mark.prism
def test_lines_shows_a_spinner_only_on_a_terminal(prism_url: str) -> None:
    controller, terminal = pty.openpty()
    try:
        clean = {key: value for key, value in os.environ.items() if not key.startswith("PAYEX_BILLING_")}
        command = [sys.executable, "-m", "payex_billing_invoice", "--base-url", prism_url, "--owner", OWNER_NO]
        result = subprocess.run(
            [*command, "--token", TOKEN, "lines", INVOICE_NO, "--json"],
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=clean,
            timeout=RUN_SECONDS,
            check=False,
        )
        os.close(terminal)
        terminal = -1
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    assert result.returncode == 0
    assert b"Fetching invoice 603010 line by line" in shown
    assert TOKEN.encode() not in shown
    assert json.loads(result.stdout)["total"] == "499"


@pytest.mark.prism
@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/billing/invoice/v1/xxx/invoices/603010/recurring-products", "listInvoiceRecurringProducts"),
        ("/billing/invoice/v1/xxx/invoices/603010/subscriptions/46701234567", "getInvoiceSubscription"),
    ],
)
def test_follow_fetches_what_a_link_addresses(prism_url: str, spec: dict[str, Any], link: str, expected: str) -> None:
    result = sealed(at(prism_url, "follow", link, "--json"))
    assert result.returncode == 0, result.stderr
    shown, wanted = json.loads(result.stdout), first_example(spec, expected)
    for item, expected_item in zip(shown.get("items", []), wanted.get("items", []), strict=True):
        assert exact(item.pop("amount")) == exact(expected_item.pop("amount"))
    assert shown == wanted
    table = sealed(at(prism_url, "follow", link))
    assert table.returncode == 0, table.stderr
    assert link in table.stdout


@pytest.mark.prism
def test_verbose_logs_every_request_on_stderr_and_never_the_token(prism_url: str) -> None:
    result = sealed(at(prism_url, "-v", "lines", INVOICE_NO, "--json"))
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout)
    for operation_id in (
        "getInvoice",
        "listInvoiceRecurringProducts",
        "listInvoiceSubscriptions",
        "listSubscriptionRecurringProducts",
    ):
        assert f"DEBUG payex_billing_invoice: GET {ROUTE_TEMPLATES[operation_id]} -> 200" in result.stderr
    assert "Bearer" not in result.stderr


def test_problem_types_lists_the_four_documented_types(spec: dict[str, Any]) -> None:
    documented = [(item["code"], item["typecode"], item["status"]) for item in spec["x-payex-problem-types"]]
    assert len(documented) == 4
    listed = cli("problem-types", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(row["code"], row["typecode"], row["status"]) for row in rows] == documented
    assert [row["class"] for row in rows] == [
        "ValidationProblem",
        "CustomerNotFound",
        "InvoiceNotFound",
        "SubscriptionNotFound",
    ]
    assert [row["exitCode"] for row in rows] == [4, 3, 3, 3]
    table = cli("problem-types", env={"COLUMNS": "200"})
    assert table.returncode == 0
    for code, typecode, status in documented:
        assert re.search(rf"{code}\s+{typecode}\s+{status}\b", table.stdout)


def test_help_shows_the_exit_code_table() -> None:
    result = cli("--help")
    assert result.returncode == 0
    help_text = words(result.stdout)
    assert [row.code.value for row in EXIT_CODES] == list(range(9))
    for row in EXIT_CODES:
        assert words(f"{row.code.value} {row.meaning}") in help_text
        for cls in row.errors:
            assert cls.__name__ in help_text
    for variable in (ENV_OWNER_NO, ENV_TOKEN, ENV_BASE_URL, ENV_CLIENT_CERT, ENV_CLIENT_KEY):
        assert variable in help_text


# The --mock option and the mock command


def test_mock_option_runs_a_command_without_credentials(spec: dict[str, Any]) -> None:
    result = cli("--mock", "lines", INVOICE_NO, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    shown = json.loads(result.stdout)
    assert exact(shown["total"]) == exact(first_example(spec, "getInvoice")["invoiceAmount"])
    assert shown["subscriptions"][0]["subscription"]["subscriptionNo"] == SUBSCRIPTION_NO


def _without_node() -> dict[str, str]:
    """PATH with no folder that holds `node`."""
    folders = os.environ.get("PATH", "").split(os.pathsep)
    return {"PATH": os.pathsep.join(f for f in folders if not os.path.exists(os.path.join(f, "node")))}


def test_mock_option_needs_no_node_and_unknown_ids_are_not_found() -> None:
    env = _without_node()
    assert sealed(cli("--mock", "lines", INVOICE_NO, env=env)).returncode == 0
    missing = cli("--mock", "invoice", "999999", env=env)
    assert missing.returncode == 3
    assert "invoice-not-found" in missing.stderr
    assert "603010" not in missing.stdout + missing.stderr


def test_global_options_work_after_the_command() -> None:
    result = cli("invoices", "--retries", "0", "--mock", "--json")
    assert result.returncode == 0, result.stderr
    assert [item["invoiceNo"] for item in json.loads(result.stdout)["items"]] == [INVOICE_NO, "603012"]
    other = cli("invoice", INVOICE_NO, "--mock", "--owner", "other", "--json")
    assert (other.returncode, json.loads(other.stdout)["error"]["code"]) == (3, "customer-not-found")


def test_usage_errors_with_json_are_json_on_stdout() -> None:
    result = cli("--json", "invoice")
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["exitCode"] == 2
    assert "Missing argument" in json.loads(result.stdout)["error"]["message"]


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (("invoice", INVOICE_NO), "/billing/invoice/v1/xxx/invoices/603010/recurring-products"),
        (("problem-types",), "billing/invoice/problems/subscription-not-found"),
        (
            ("follow", "/billing/invoice/v1/xxx/invoices/603010/subscriptions"),
            "/billing/invoice/v1/xxx/invoices/603010/subscriptions/46701234567/recurring-products",
        ),
    ],
)
def test_piped_output_breaks_no_word(args: tuple[str, ...], word: str) -> None:
    result = cli("--mock", *args, env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert word in result.stdout


def test_ca_bundle_option_is_used(tmp_path: Path, server: FaultServer) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate")
    result = sealed(at(server.url, "invoices", "--ca-bundle", str(bundle)))
    assert result.returncode == 2
    assert "cannot load the CA bundle ca.pem" in result.stderr
    assert server.requests == ()


def test_mock_command_serves_the_fake_without_node() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "payex_billing_invoice", "mock", "--server", "fake", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **_without_node()},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url == f"http://127.0.0.1:{port}"
        missing = cli("--base-url", url, "--owner", OWNER_NO, "--token", TOKEN, "invoice", "999999")
        assert missing.returncode == 3
        answer = httpx.get(f"{url}/billing/invoice/v1/xxx/invoices", headers={"Authorization": "Bearer any"})
        assert answer.json()["items"][0]["invoiceNo"] == INVOICE_NO
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=RUN_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "FakePayEx stopped." in stderr
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1.0):
        pass


def test_mock_command_serves_the_spec_until_interrupted() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "payex_billing_invoice", "mock", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url == f"http://127.0.0.1:{port}"
        answer = httpx.get(f"{url}/billing/invoice/v1/xxx/invoices", headers={"Authorization": "Bearer any"})
        assert answer.status_code == 200
        assert answer.json()["items"][0]["invoiceNo"] == INVOICE_NO
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=RUN_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert stdout == ""
    pid = int(re.findall(r"Prism \(pid (\d+)\)", stderr)[0])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1.0):
        pass
    assert "Prism stopped." in stderr


@pytest.mark.prism
def test_mock_command_on_a_busy_port_fails_with_its_exit_code(prism_url: str) -> None:
    result = cli("mock", "--port", prism_url.rsplit(":", 1)[1])
    assert result.returncode == 8
    assert re.search(r"cannot serve on 127\.0\.0\.1:\d+: Address already in use", result.stderr)
    assert "Traceback" not in result.stderr


# Errors, scripted on the fault server


def test_invoice_not_found_prints_the_problem_and_the_instance_id(server: FaultServer) -> None:
    server.script(problem("invoice-not-found", 404, "Invoice number not found in Usage"))
    result = sealed(at(server.url, "invoice", "999999"))
    assert result.returncode == 3
    assert result.stdout == ""
    err = result.stderr
    assert "Error: PayEx answered HTTP 404 Not Found (InvoiceNotFound, exit 3)" in err
    assert re.search(r"code\s+invoice-not-found", err)
    assert re.search(r"title\s+Invoice number not found in Usage", err)
    assert re.search(rf"instance\s+{INSTANCE}", err)
    assert f"Quote the instance id {INSTANCE} to PayEx support." in err
    request_id = server.requests[0].header("X-Request-Id")
    assert request_id is not None
    assert re.search(rf"request\s+{request_id}", err)
    assert "Traceback" not in err


def test_a_validation_problem_prints_the_field_problems(server: FaultServer) -> None:
    detail = "A validation error occurred. Please fix the problems mentioned in the 'problems' property below."
    server.script(
        problem(
            "validation",
            400,
            "A validation error occurred",
            detail=detail,
            problems=[{"invoiceNo": "Not a valid invoice number"}],
        )
    )
    result = sealed(at(server.url, "invoice", "abc"))
    assert result.returncode == 4
    assert "Error: PayEx answered HTTP 400 Bad Request (ValidationProblem, exit 4)" in result.stderr
    assert re.search(r"detail\s+" + re.escape(detail), result.stderr)
    assert re.search(r"problem\s+invoiceNo: Not a valid invoice number", result.stderr)


def test_text_from_the_server_cannot_drive_the_terminal(server: FaultServer) -> None:
    server.script(problem("invoice-not-found", 404, "[bold red]Fake[/] \x1b]0;owned\x07title\x1b[2J"))
    result = sealed(at(server.url, "invoice", INVOICE_NO))
    assert result.returncode == 3
    assert "\x1b" not in result.stderr
    assert "\x07" not in result.stderr
    assert r"[bold red]Fake[/] \x1b]0;owned\x07title\x1b[2J" in result.stderr


MARKUP = {
    "invoiceNo": "603010[bold red]X[/]",
    "productNo": "[blink]P-1[/blink]",
    "description": "[link=https://attacker.invalid/]Pay here[/link]",
    "[bold]member": "[reverse]value[/][/]",
}
"""Server text that Rich, read as markup, would style, hyperlink (OSC 8) or crash on."""
_STYLED = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:1;31|31;1|5|7)m|\x1b\]8;")
"""Bold red, blink, reverse, or a terminal hyperlink: what MARKUP would make of the output."""


def test_text_from_the_server_is_printed_as_plain_text(server: FaultServer) -> None:
    product = {"productNo": MARKUP["productNo"], "description": MARKUP["description"], "amount": 1, "currency": "SEK"}

    def answer(request: RecordedRequest) -> Action:
        target = request.target.decode()
        if target.endswith("/recurring-products"):
            return Respond.json({"items": [product]})
        if target.endswith("/subscriptions"):
            return Respond.json({"items": []})
        invoice = {"invoiceNo": MARKUP["invoiceNo"], "[bold]member": MARKUP["[bold]member"]}
        return Respond.json({"items": [invoice]} if target.endswith("/invoices") else invoice)

    server.fallback = answer
    for command in (("lines", INVOICE_NO), ("invoice", INVOICE_NO), ("invoices",)):
        result = sealed(at(server.url, *command, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"}))
        assert result.returncode == 0, result.stderr[-500:]
        shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
        assert MARKUP["invoiceNo"] in shown, command
        assert not _STYLED.search(result.stdout), (command, result.stdout)
        if command[0] == "lines":
            assert MARKUP["productNo"] in shown
            assert MARKUP["description"] in shown
        if command[0] == "invoice":
            assert "[bold]member" in shown
            assert MARKUP["[bold]member"] in shown


def test_a_long_value_is_cut_in_the_table_and_whole_in_json(server: FaultServer) -> None:
    server.script(Respond.json({"invoiceNo": INVOICE_NO, "note": "n" * 100_000}))
    result = sealed(at(server.url, "invoice", INVOICE_NO))
    assert result.returncode == 0, result.stderr[-500:]
    assert len(result.stdout) < 20_000
    assert "(99000 more characters)" in words(result.stdout)

    server.script(Respond.json({"invoiceNo": INVOICE_NO, "note": "n" * 100_000}))
    result = sealed(at(server.url, "--json", "invoice", INVOICE_NO))
    assert json.loads(result.stdout)["note"] == "n" * 100_000


def test_json_errors_are_one_json_object_on_stdout(server: FaultServer) -> None:
    server.script(problem("validation", 400, "A validation error occurred", problems=[{"invoiceNo": "bad"}]))
    result = sealed(at(server.url, "--json", "invoice", "abc"))
    assert result.returncode == 4
    assert result.stderr == ""
    error = json.loads(result.stdout)["error"]
    assert error["error"] == "ValidationProblem"
    assert error["exitCode"] == 4
    assert error["status"] == 400
    assert error["code"] == "validation"
    assert error["problems"] == {"invoiceNo": "bad"}
    assert error["instance"] == INSTANCE
    assert error["requestId"] == server.requests[0].header("X-Request-Id")


@pytest.mark.parametrize(
    ("status", "expected", "name"),
    [
        (401, 5, "AuthenticationError"),
        (403, 5, "PermissionDeniedError"),
        (404, 3, "NotFoundError"),
        (409, 1, "ConflictError"),
        (422, 4, "UnprocessableEntityError"),
        (429, 6, "RateLimitError"),
        (500, 6, "ServerError"),
        (503, 6, "ServerError"),
    ],
)
def test_every_status_class_has_its_exit_code(server: FaultServer, status: int, expected: int, name: str) -> None:
    server.script(Respond.json({"title": "Something went wrong", "status": status}, status, content_type=PROBLEM_JSON))
    result = sealed(at(server.url, "invoice", INVOICE_NO))
    assert result.returncode == expected
    assert f"({name}, exit {expected})" in result.stderr
    assert "PayEx sent no problem instance id; the request carried X-Request-Id" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_401_that_echoes_the_token_does_not_print_it(server: FaultServer) -> None:
    server.script(Respond.json({"title": "Unauthorized", "detail": f"token {TOKEN} has expired"}, 401))
    result = sealed(at(server.url, "-v", "invoice", INVOICE_NO))
    assert result.returncode == 5
    assert "token [redacted] has expired" in result.stderr
    assert server.requests[0].header("Authorization") == f"Bearer {TOKEN}"


def test_lines_stops_at_the_first_problem(server: FaultServer) -> None:
    server.script(*[problem("invoice-not-found", 404, "Invoice number not found in Usage")] * 3)
    result = sealed(at(server.url, "lines", "999999"))
    assert result.returncode == 3
    assert f"Quote the instance id {INSTANCE} to PayEx support." in result.stderr


@pytest.mark.parametrize(
    "amount",
    ['"1e999999"', '"12.50"', "1e-300000", "0e-300000", "1e400"],
    ids=["string-huge", "string", "tiny", "zero", "huge"],
)
def test_lines_refuses_an_amount_that_is_not_a_number_in_range(server: FaultServer, amount: str) -> None:
    products = f'{{"items": [{{"productNo": "P", "amount": {amount}}}]}}'.encode()

    def answer(request: RecordedRequest) -> Action:
        target = request.target.decode()
        if target.endswith("/recurring-products"):
            return Respond(200, products, (("Content-Type", "application/json"),))
        if target.endswith("/subscriptions"):
            return Respond.json({"items": []})
        return Respond.json({"invoiceNo": INVOICE_NO, "invoiceAmount": 1})

    server.fallback = answer
    result = sealed(at(server.url, "--json", "lines", INVOICE_NO))
    assert result.returncode == 7, result.stderr[-500:]
    assert len(result.stdout) < 10_000


@pytest.mark.parametrize("action", [ResetMidBody(Respond.json({"invoiceNo": INVOICE_NO}), 5), CloseWithoutResponse()])
def test_a_broken_connection_is_unavailable(server: FaultServer, action: ResetMidBody | CloseWithoutResponse) -> None:
    server.script(action)
    result = sealed(at(server.url, "invoice", INVOICE_NO))
    assert result.returncode == 6
    assert "failed: " in result.stderr
    assert "(ApiConnectionError, exit 6)" in result.stderr
    assert "Check --base-url" in result.stderr


def test_a_closed_port_is_unavailable() -> None:
    result = sealed(at(f"http://127.0.0.1:{free_port()}", "invoices"))
    assert result.returncode == 6
    assert "ConnectError" in result.stderr


def test_a_timeout_is_unavailable(server: FaultServer) -> None:
    server.script(StallBeforeHeaders(5.0))
    result = sealed(at(server.url, "--timeout", "0.3", "invoice", INVOICE_NO))
    assert result.returncode == 6
    assert "(ApiTimeoutError, exit 6)" in result.stderr
    assert "raise --timeout" in result.stderr


def test_a_200_that_does_not_fit_the_spec_is_a_bad_response(server: FaultServer) -> None:
    server.script(Respond.json({"invoiceNo": 603010, "invoiceDate": "yesterday"}))
    result = sealed(at(server.url, "invoice", INVOICE_NO))
    assert result.returncode == 7
    assert "Error: PayEx's answer to getInvoice does not fit the API document (ResponseValidationError, exit 7)" in (
        result.stderr
    )
    assert re.search(r"mismatch\s+invoiceNo: Input should be a valid string", result.stderr)
    assert re.search(r"mismatch\s+invoiceDate: Input should be a valid date", result.stderr)


def test_settings_come_from_the_environment(server: FaultServer) -> None:
    server.script(Respond.json({"items": []}))
    result = sealed(cli("invoices", env={ENV_BASE_URL: server.url, ENV_OWNER_NO: "4711", ENV_TOKEN: TOKEN}))
    assert result.returncode == 0, result.stderr
    [request] = server.requests
    assert request.target == b"/billing/invoice/v1/4711/invoices"
    assert request.header("Authorization") == f"Bearer {TOKEN}"
    assert "(none)" in result.stdout


# Bad usage: exit 2, no request


@pytest.mark.parametrize("command", ["invoice", "lines"])
@pytest.mark.parametrize(
    ("invoice_no", "message"),
    [
        ("..", "invoice_no must not be the dot-segment '..'"),
        ("", "invoice_no must not be empty"),
        ("60\x0110", "invoice_no must not contain a control character ('\\x01')"),
    ],
)
def test_a_hostile_id_is_refused_before_any_request(
    server: FaultServer, command: str, invoice_no: str, message: str
) -> None:
    result = sealed(at(server.url, command, invoice_no))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Invalid value for 'INVOICE_NO'" in result.stderr
    assert server.requests == ()


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("https://evil.example/billing/invoice/v1/xxx/invoices/603010", "refusing to follow a link to another host"),
        ("/billing/invoice/v1/other/invoices/603010", "refusing to follow a link to another owner"),
        ("/billing/customer/v1/xxx/customers/1", "does not address an operation of the Billing Invoice API"),
        ("/billing/invoice/v1/xxx/invoices/..", "must not be the dot-segment"),
        ("/billing/invoice/v1/xxx/invoices/603010?x=1", "a query or fragment is not allowed"),
    ],
)
def test_follow_refuses_links_it_must_not_follow(server: FaultServer, link: str, message: str) -> None:
    result = sealed(at(server.url, "follow", link))
    assert result.returncode == 2
    assert message in result.stderr
    assert server.requests == ()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--owner", OWNER_NO, "invoices"), "token is required"),
        (("--token", TOKEN, "invoices"), "owner_no is required"),
        (("--owner", OWNER_NO, "--token", TOKEN, "--base-url", "http://example.com", "invoices"), "refusing plain"),
        (("--mock", "--sandbox", "invoices"), "--sandbox and --mock exclude each other"),
        (("--base-url", "http://127.0.0.1:1", "--mock", "invoices"), "--base-url and --mock exclude each other"),
        (("--retries", "-1", "invoices"), "Invalid value for '--retries'"),
        (("invoice",), "Missing argument 'INVOICE_NO'"),
        (("nonsense",), "No such command 'nonsense'"),
    ],
)
def test_bad_usage_exits_2_without_a_traceback(args: tuple[str, ...], message: str) -> None:
    result = sealed(cli(*args))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_version() -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("payex-billing-invoice, version ")
