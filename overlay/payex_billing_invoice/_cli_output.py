"""What the command line prints: rich tables for people, JSON for programs, errors for both."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from datetime import date
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from typing import Any, Final, Protocol

import msgspec
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from payex_billing_invoice import (
    MISSING,
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    ClientConfigurationError,
    InvoiceLines,
    RateLimitError,
    ResponseValidationError,
    present,
)
from payex_billing_invoice_openapi._exact_base import ExactStruct

__all__ = [
    "error_details",
    "error_report",
    "invoice_lines_data",
    "invoice_lines_view",
    "jsonable",
    "list_view",
    "money",
    "printable",
    "record_view",
    "to_json",
]

CENTS: Final = Decimal("0.01")
MAX_CELL_CHARS: Final = 1000
"""Longest value a table cell shows; the rest is counted, not printed (`--json` prints every character)."""
MIN_SECRET_LENGTH: Final = 8
"""Shorter values are not scrubbed from error output: replacing them would garble unrelated text."""
_LABEL_WIDTH: Final = 10
_MAX_LISTED_ERRORS: Final = 10


def printable(text: str) -> str:
    """`text` safe to show in a terminal: every non-printable character (ESC, CR, ...) escaped."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def money(amount: Decimal) -> str:
    """An amount in fixed-point notation with at least two decimals; never rounded."""
    exponent = amount.as_tuple().exponent
    if amount.is_finite() and isinstance(exponent, int) and exponent > -2:
        with suppress(InvalidOperation):
            amount = amount.quantize(CENTS)
    return format(amount, "f")


def jsonable(value: object) -> Any:
    """`value` as JSON data: models by their API member names, `Decimal` as exact strings, dates in ISO 8601."""
    if isinstance(value, ExactStruct):
        return jsonable(_fields(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def to_json(value: object) -> str:
    """`value` as indented JSON, ASCII only (so no byte of it can act on a terminal)."""
    return json.dumps(jsonable(value), indent=2, ensure_ascii=True)


def _cell(value: object) -> Text:
    if value is None:
        return Text("—", style="dim")
    if isinstance(value, Decimal):
        return Text(money(value))
    if isinstance(value, date):
        return Text(value.isoformat())
    text = value if isinstance(value, str) else json.dumps(jsonable(value), ensure_ascii=False)
    if len(text) <= MAX_CELL_CHARS:
        return Text(printable(text))
    rest = Text(f" … ({len(text) - MAX_CELL_CHARS} more characters)", style="dim")
    return Text.assemble(printable(text[:MAX_CELL_CHARS]), rest)


def _fields(model: ExactStruct) -> dict[str, Any]:
    """The members the response sent, by their API names, unknown ones included."""
    sent = {field.encode_name: getattr(model, field.name) for field in msgspec.structs.fields(model)}
    return {name: value for name, value in sent.items() if value is not MISSING} | model.model_extra


def record_view(title: str, model: ExactStruct) -> Table:
    """One resource as a two-column table of its members, unknown ones included."""
    table = Table(
        title=Text(printable(title), style="table.title"), box=box.SIMPLE_HEAD, show_header=False, title_justify="left"
    )
    table.add_column("member", style="bold")
    table.add_column("value", overflow="fold")
    for name, value in _fields(model).items():
        table.add_row(Text(printable(name)), _cell(value))
    return table


def list_view(title: str, items: Sequence[ExactStruct], columns: Sequence[str] | None = None) -> RenderableType:
    """Resources as rows of `columns`; without `columns`, each resource as its own table of every member."""
    if not items:
        return Group(Text(printable(title), style="italic"), Text("(none)", style="dim"))
    if columns is None:
        return Group(
            *(record_view(f"{title} [{index} of {len(items)}]", item) for index, item in enumerate(items, start=1))
        )
    table = Table(title=Text(printable(title), style="table.title"), box=box.SIMPLE_HEAD, title_justify="left")
    for name in columns:
        table.add_column(Text(printable(name)), overflow="fold")
    for item in items:
        row = _fields(item)
        table.add_row(*(_cell(row.get(name)) for name in columns))
    return table


def _period(start: date | None, end: date | None) -> Text:
    """The period as an ISO 8601 interval, `..` for an open end."""
    if start is None and end is None:
        return _cell(None)
    return Text(f"{start.isoformat() if start else '..'}/{end.isoformat() if end else '..'}")


def _amount(amount: Decimal | None, currency: str | None) -> Text:
    if amount is None:
        return Text("no amount", style="dim")
    return Text(f"{money(amount)} {printable(currency)}" if currency else money(amount))


class _Product(Protocol):
    """What the line view reads of a recurring product (null where the spec lets a member be null)."""

    @property
    def product_no(self) -> str | msgspec.UnsetType | None: ...
    @property
    def description(self) -> str | msgspec.UnsetType | None: ...
    @property
    def amount(self) -> Decimal | msgspec.UnsetType | None: ...
    @property
    def currency(self) -> str | msgspec.UnsetType | None: ...
    @property
    def period_from(self) -> date | msgspec.UnsetType | None: ...
    @property
    def period_to(self) -> date | msgspec.UnsetType | None: ...


def _product_cells(product: _Product) -> tuple[Text, ...]:
    return (
        _cell(present(product.product_no)),
        _cell(present(product.description)),
        _period(present(product.period_from), present(product.period_to)),
        _amount(present(product.amount), present(product.currency)),
    )


def _currencies(lines: InvoiceLines) -> list[str]:
    products = [*lines.recurring_products, *(p for s in lines.subscriptions for p in s.recurring_products)]
    return sorted({currency for product in products if (currency := present(product.currency))})


def _add_group(table: Table, heading: str, number: str, products: Sequence[_Product], total: Text) -> None:
    table.add_section()
    table.add_row(Text(heading, style="bold"), Text(printable(number), style="bold"), "", "")
    for product in products:
        table.add_row(*_product_cells(product))
    if not products:
        table.add_row("", Text("(no recurring products)", style="dim"), "", "")
    table.add_row("", Text("subtotal", style="italic"), "", total)


def invoice_lines_view(lines: InvoiceLines) -> RenderableType:
    """The invoice line by line: customer-level products, then each subscription's, with exact totals."""
    invoice = lines.invoice
    currencies = _currencies(lines)
    currency = currencies[0] if len(currencies) == 1 else None
    title = f"Invoice {printable(present(invoice.invoice_no) or '?')}"
    if (invoice_date := present(invoice.invoice_date)) is not None:
        title += f" of {invoice_date.isoformat()}"
    table = Table(
        title=Text(title, style="table.title"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_footer=True,
        pad_edge=False,
    )
    table.add_column("Product", footer="Total", overflow="fold")
    table.add_column("Description", overflow="fold")
    table.add_column("Period", overflow="fold")
    table.add_column("Amount", justify="right", footer=_amount(lines.total, currency), no_wrap=True)
    customer_total = _amount(lines.customer_total, currency)
    _add_group(table, "Customer level", "", lines.recurring_products, customer_total)
    for item in lines.subscriptions:
        number = present(item.subscription.subscription_no) or present(item.subscription.field_id) or "?"
        _add_group(table, "Subscription", number, item.recurring_products, _amount(item.total, currency))
    notes: list[Text] = []
    if len(currencies) > 1:
        notes.append(Text(f"The lines are in {', '.join(map(printable, currencies))}: the total adds plain numbers."))
    if (invoice_amount := present(invoice.invoice_amount)) is not None:
        difference = lines.total - invoice_amount
        if difference == 0:
            notes.append(Text(f"Invoice amount {money(invoice_amount)}: the lines add up to it."))
        else:
            notes.append(
                Text(
                    f"Invoice amount {money(invoice_amount)}: the lines add up to {money(lines.total)} "
                    f"({'+' if difference > 0 else '-'}{money(abs(difference))}).",
                    style="yellow",
                )
            )
    return Group(table, *notes)


def invoice_lines_data(lines: InvoiceLines) -> dict[str, Any]:
    """The line-level view as JSON data, with the exact totals."""
    return {
        "invoice": jsonable(lines.invoice),
        "recurringProducts": jsonable(lines.recurring_products),
        "recurringProductsTotal": jsonable(lines.customer_total),
        "subscriptions": [
            {
                "subscription": jsonable(subscription.subscription),
                "recurringProducts": jsonable(subscription.recurring_products),
                "total": jsonable(subscription.total),
            }
            for subscription in lines.subscriptions
        ],
        "total": jsonable(lines.total),
    }


def _scrub(value: object, secrets: Iterable[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "[redacted]")
        return value
    if isinstance(value, Mapping):
        return {_scrub(key, secrets): _scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item, secrets) for item in value]
    return value


def error_details(error: Exception, exit_code: int, meaning: str, secrets: Iterable[str] = ()) -> dict[str, Any]:
    """What is known about an error, as JSON data; `secrets` are replaced wherever the server echoed them."""
    details: dict[str, Any] = {
        "error": type(error).__name__,
        "exitCode": exit_code,
        "meaning": meaning,
        "message": str(error),
    }
    if isinstance(error, ApiStatusError):
        problem = error.problem
        details["status"] = error.status_code
        if problem is not None:
            details |= {
                "code": problem.code,
                "type": problem.type,
                "title": problem.title,
                "detail": problem.detail,
                "problems": dict(problem.problems),
                "instance": problem.instance,
            }
        if isinstance(error, RateLimitError):
            details["retryAfter"] = error.headers.get("retry-after")
        details["requestId"] = error.request_id
    elif isinstance(error, ResponseValidationError):
        details |= {"status": error.status_code, "operationId": error.operation_id, "errors": list(error.errors)}
    elif isinstance(error, ApiConnectionError):
        details["requestId"] = error.request_id
    usable = [secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH]
    scrubbed: dict[str, Any] = _scrub({key: value for key, value in details.items() if value not in (None, {})}, usable)
    return scrubbed


def _line(label: str, value: object, style: str = "") -> Text:
    return Text.assemble(("  " + label.ljust(_LABEL_WIDTH), "dim"), (printable(str(value)), style))


_HINTS: Final[tuple[tuple[type[Exception], str], ...]] = (
    (ApiTimeoutError, "PayEx did not answer in time: try again, or raise --timeout."),
    (ApiConnectionError, "Check --base-url (or PAYEX_BILLING_BASE_URL), the client certificate and the network."),
    (
        ResponseValidationError,
        "The API may have changed: run with -v and report this output to the maintainers of the client.",
    ),
    (
        ClientConfigurationError,
        "Connection settings: --owner, --token, --cert, --key, --base-url or --sandbox (see --help); "
        "--mock needs none.",
    ),
)


def _hint(error: Exception, details: Mapping[str, Any]) -> str | None:
    if details.get("instance"):
        return f"Quote the instance id {printable(details['instance'])} to PayEx support."
    if isinstance(error, ApiStatusError):
        hint = "PayEx sent no problem instance id"
        return f"{hint}; the request carried X-Request-Id {details['requestId']}." if "requestId" in details else hint
    return next((hint for cls, hint in _HINTS if isinstance(error, cls)), None)


def _headline(error: Exception, details: Mapping[str, Any]) -> str:
    if isinstance(error, ApiStatusError):
        return f"PayEx answered HTTP {details['status']} {_reason(error.status_code)}".rstrip()
    if isinstance(error, ResponseValidationError):
        return f"PayEx's answer to {details.get('operationId', 'the request')} does not fit the API document"
    return str(details["message"])


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def error_report(error: Exception, details: Mapping[str, Any]) -> Group:
    """The error for people: what happened, every field PayEx gave, and what to quote to support."""
    headline = Text.assemble(
        ("Error: ", "bold red"),
        printable(_headline(error, details)),
        (f" ({details['error']}, exit {details['exitCode']})", "dim"),
    )
    lines: list[Text] = [headline]
    if isinstance(error, ApiStatusError) and error.problem is None:
        lines.append(_line("summary", details["message"]))
    for key in ("code", "type", "title", "detail"):
        if key in details:
            lines.append(_line(key, details[key], "bold" if key in {"title", "code"} else ""))
    for path, message in details.get("problems", {}).items():
        lines.append(_line("problem", f"{path}: {message}", "yellow"))
    for item in details.get("errors", [])[:_MAX_LISTED_ERRORS]:
        lines.append(_line("mismatch", item, "yellow"))
    for key, label in (("retryAfter", "retry in"), ("instance", "instance"), ("requestId", "request")):
        if key in details:
            lines.append(_line(label, details[key], "bold cyan" if key == "instance" else ""))
    hint = _hint(error, details)
    if hint:
        lines.append(Text(hint, style="italic"))
    return Group(*lines)
