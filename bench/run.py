"""Side-by-side benchmarks of the client; every figure is a ratio of contenders measured in the same run.

    python -m bench.run [--json PATH] [--quick] [--no-pipeline] [--check]

Contenders run round-robin (the order rotating every round) after a warm-up, each round timing a batch of
calls with `time.perf_counter_ns`; a figure is the median over rounds of the per-round ratio, so drift in the
machine's load hits both sides of a ratio alike. The spread is the interquartile range of those ratios.

1. per call: `get_invoice` through the overlay, the generated client and plain httpx, each on its own
   keep-alive connection to one loopback server serving the documented getInvoice body;
2. decoding 10,000 invoices and 10,000 recurring products in-process, against `json.loads` of the same bytes,
   and the peak memory of each decode (`tracemalloc`) against the body's size;
3. `invoice_lines` of an invoice with 50 subscriptions of 20 products each, 20 ms server latency per
   response, against one request;
4. `nox -s regenerate` and `nox -s drift` on the unchanged spec, and the share of their wall time that is
   tool start-up (skipped with `--quick`);
5. the import of the package against the import of httpx, as whole processes.

2b decodes 10,000 recurring products and 10,000 invoices, each also with members the spec does not declare,
through every public way of decoding them, against plain httpx + `json.loads` on the same in-memory transport.
`--check` exits 1 when a figure misses its goal.

The table is printed as Markdown and written, with the raw samples (nanoseconds per call; bytes for peaks), as
JSON (default `reports/bench.json`).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import gc
import importlib.util
import json
import math
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

from bench._candidates import candidates, strictness_matrix
from bench._h2_server import HypercornProcess
from bench._server import BenchServerProcess
from payex_billing_invoice import AsyncBillingInvoiceClient, BillingInvoiceClient
from payex_billing_invoice._operations import LIST_INVOICES, LIST_SUBSCRIPTION_RECURRING_PRODUCTS, Endpoint
from payex_billing_invoice_openapi.api.invoices import get_invoice
from payex_billing_invoice_openapi.client import AuthenticatedClient

ROOT = Path(__file__).resolve().parent.parent
OWNER_NO = "xxx"
INVOICE_NO = "603010"
TOKEN = "bench-token-7f3a"  # noqa: S105 - a dummy token for the loopback server
PREFIX = f"/billing/invoice/v1/{OWNER_NO}/invoices"
INVOICE_PATH = f"{PREFIX}/{INVOICE_NO}"
# The getInvoice response of spec/openapi.yaml (section 1.2 of PayEx's page), verbatim.
DOCUMENTED_INVOICE: dict[str, Any] = {
    "invoiceNo": "603010",
    "invoiceDate": "2026-03-01",
    "invoiceAmount": 499.0,
    "recurringProducts": f"{INVOICE_PATH}/recurring-products",
    "subscriptions": f"{INVOICE_PATH}/subscriptions",
}
LIST_SIZE = 10_000
SUBSCRIPTIONS = 50
PRODUCTS_PER_SUBSCRIPTION = 20
LATENCY_SECONDS = 0.020
Contender = Callable[[], object]


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of the table: `numerator / denominator`, the median of the per-round ratios."""

    section: str
    name: str
    ratio: float
    spread: tuple[float, float] | None
    goal: float | None
    detail: str

    @property
    def holds(self) -> bool | None:
        """Whether the goal holds; None when the figure has no goal."""
        return None if self.goal is None else self.ratio <= self.goal


@dataclass(slots=True)
class Report:
    """Figures, their raw samples and notes, as printed and as written to JSON."""

    figures: list[Figure] = field(default_factory=list)
    samples: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)
    """Further Markdown tables by title, such as the strictness matrix."""


def interleave(contenders: Mapping[str, Contender], *, rounds: int, batch: int, warmup: int) -> dict[str, list[float]]:
    """Nanoseconds per call of each contender, one figure per round; contenders run round-robin, order rotating."""
    names = list(contenders)
    for name in names:
        for _ in range(warmup):
            contenders[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            call = contenders[name]
            gc.collect()
            started = time.perf_counter_ns()
            for _ in range(batch):
                call()
            samples[name].append((time.perf_counter_ns() - started) / batch)
    return samples


def paired_ratio(
    samples: Mapping[str, Sequence[float]], numerator: str, denominator: str
) -> tuple[float, float, float]:
    """Median and quartiles of the per-round ratios `numerator / denominator`."""
    ratios = [top / bottom for top, bottom in zip(samples[numerator], samples[denominator], strict=True)]
    if len(ratios) < 2:
        return ratios[0], ratios[0], ratios[0]
    low, _, high = statistics.quantiles(ratios, n=4, method="inclusive")
    return statistics.median(ratios), low, high


def _format_ns(nanoseconds: float) -> str:
    if nanoseconds >= 1e9:
        return f"{nanoseconds / 1e9:.2f} s"
    if nanoseconds >= 1e6:
        return f"{nanoseconds / 1e6:.1f} ms"
    return f"{nanoseconds / 1e3:.0f} µs"


def add_ratio(
    report: Report,
    section: str,
    samples: Mapping[str, Sequence[float]],
    numerator: str,
    denominator: str,
    *,
    goal: float | None,
    extra: str = "",
) -> None:
    """Append the figure `numerator / denominator` of `samples`, with both medians as its detail."""
    ratio, low, high = paired_ratio(samples, numerator, denominator)
    top, bottom = statistics.median(samples[numerator]), statistics.median(samples[denominator])
    detail = f"{_format_ns(top)} vs {_format_ns(bottom)}{extra}"
    report.figures.append(Figure(section, f"{numerator} / {denominator}", ratio, (low, high), goal, detail))


# 1. Per-call cost of get_invoice.


def bench_per_call(report: Report, *, quick: bool) -> None:
    """`get_invoice` through the overlay (attrs and exact), the generated client and plain httpx."""
    rounds, batch, warmup = (11, 40, 50) if quick else (101, 50, 200)
    body = json.dumps(DOCUMENTED_INVOICE).encode()
    with (
        BenchServerProcess({INVOICE_PATH: body}) as server,
        BillingInvoiceClient(owner_no=OWNER_NO, token=TOKEN, base_url=server.url) as overlay,
        AuthenticatedClient(base_url=server.url, token=TOKEN) as generated,
        httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}) as plain,
    ):
        url = server.url + INVOICE_PATH
        contenders: dict[str, Contender] = {
            "overlay": lambda: overlay.get_invoice(INVOICE_NO),
            "overlay exact": lambda: overlay.exact.get_invoice(INVOICE_NO),
            "generated": lambda: get_invoice.sync(OWNER_NO, INVOICE_NO, client=generated),
            "httpx": lambda: plain.get(url).json(),
        }
        _check_same_invoice(contenders)
        samples = interleave(contenders, rounds=rounds, batch=batch, warmup=warmup)
        connections, requests = server.connections, server.requests
    section = "1 per call"
    report.samples[section] = samples
    add_ratio(report, section, samples, "overlay", "generated", goal=1.10)
    add_ratio(report, section, samples, "overlay exact", "generated", goal=1.10)
    add_ratio(report, section, samples, "generated", "httpx", goal=1.25)
    add_ratio(report, section, samples, "overlay", "httpx", goal=1.25)
    add_ratio(report, section, samples, "overlay exact", "httpx", goal=1.25)
    report.notes.append(
        f"per call: {rounds} rounds of {batch} calls per contender after {warmup} warm-up calls; "
        f"{requests} requests on {connections} connections (one keep-alive connection per client)"
    )


def _check_same_invoice(contenders: Mapping[str, Contender]) -> None:
    for name, call in contenders.items():
        result = call()
        invoice_no = result.get("invoiceNo") if isinstance(result, dict) else getattr(result, "invoice_no", None)
        if invoice_no != INVOICE_NO:
            raise RuntimeError(f"{name} did not return invoice {INVOICE_NO}: {result!r}")


# 2. Decoding large lists in-process.


def invoice_list_body(count: int) -> bytes:
    """A listInvoices body of `count` invoices, shaped like the documented example."""
    start = date(2024, 1, 1)
    items = []
    for index in range(count):
        invoice_no = str(600000 + index)
        path = f"{PREFIX}/{invoice_no}"
        items.append(
            {
                "invoiceNo": invoice_no,
                "invoiceDate": (start + timedelta(days=index % 1000)).isoformat(),
                "recurringProducts": f"{path}/recurring-products",
                "subscriptions": f"{path}/subscriptions",
                "@id": path,
            }
        )
    return json.dumps({"items": items, "navigation": {"@id": PREFIX}}).encode()


def recurring_product_items(path: str, count: int) -> list[dict[str, Any]]:
    """`count` recurring products with amounts and periods, shaped like the spec's RecurringProduct example."""
    items = []
    for index in range(count):
        period_from = date(2026, 1 + index % 12, 1)
        period_to = date(2026 + (index % 12 == 11), 1 + (index + 1) % 12, 1) - timedelta(days=1)
        items.append(
            {
                "@id": f"{path}/{index + 1}",
                "productNo": f"PRODUCT-{index % 97:03d}",
                "description": f"Recurring product {index % 97}",
                "amount": (index * 3779 % 100_000) / 100,
                "currency": "SEK",
                "periodFrom": period_from.isoformat(),
                "periodTo": period_to.isoformat(),
            }
        )
    return items


def recurring_product_list_body(path: str, count: int) -> bytes:
    """A RecurringProductList body of `count` products."""
    return json.dumps({"items": recurring_product_items(path, count), "navigation": {"@id": path}}).encode()


def _item_count(result: object) -> int:
    items = result.get("items") if isinstance(result, dict) else getattr(result, "items", None)
    return len(items or ())


def peak_bytes(call: Contender) -> int:
    """The peak of memory `call` allocates (`tracemalloc`), its result included."""
    gc.collect()
    tracemalloc.start()
    try:
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak


def bench_decode(report: Report, *, quick: bool) -> None:
    """The decoding candidates (`bench._candidates`) against `json.loads` of the same bytes."""
    rounds, memory_runs = (5, 1) if quick else (15, 3)
    subscription_path = f"{INVOICE_PATH}/subscriptions/46701234567/recurring-products"
    shapes: dict[str, tuple[Endpoint[Any, Any], bytes]] = {
        "invoices": (LIST_INVOICES, invoice_list_body(LIST_SIZE)),
        "recurring products": (
            LIST_SUBSCRIPTION_RECURRING_PRODUCTS,
            recurring_product_list_body(subscription_path, LIST_SIZE),
        ),
    }
    for shape, (endpoint, body) in shapes.items():
        contenders = candidates(endpoint, body)
        for name, call in contenders.items():
            if name != "number guard alone" and _item_count(call()) != LIST_SIZE:
                raise RuntimeError(f"{name} did not decode {LIST_SIZE} items from the {shape} body")
        section = f"2 decode {LIST_SIZE:,} {shape}"
        samples = interleave(contenders, rounds=rounds, batch=1, warmup=2)
        report.samples[section] = samples
        for name in list(contenders)[1:]:  # the goals are those of the public client (2b): what a caller gets
            add_ratio(report, section, samples, name, "json.loads", goal=None)
        size = len(body)
        peaks = {name: [float(peak_bytes(call)) for _ in range(memory_runs)] for name, call in contenders.items()}
        report.samples[f"{section}, peak bytes"] = peaks
        for name, values in peaks.items():
            peak = statistics.median(values)
            detail = f"peak {peak / 2**20:.1f} MiB, body {size / 2**20:.2f} MiB"
            report.figures.append(Figure(f"{section}, memory", f"{name} peak / body", peak / size, None, None, detail))
    report.notes.append(
        f"decode: {rounds} rounds of one call per contender after 2 warm-up calls; memory: median of "
        f"{memory_runs} tracemalloc peaks (tracemalloc counts Python allocations only, the result included)"
    )
    report.tables["Strictness of the decoding candidates (an Invoice body)"] = strictness_matrix()


# 2b. Through the public client on an in-memory transport.

UNDECLARED_MEMBERS = 2
"""Members the spec does not declare, added to each listed item of the with-extras bodies."""


def with_undeclared_members(body: bytes) -> bytes:
    """`body` with a number and a nested object the spec does not declare in each item, as a server newer than its
    document sends: a kept date string would fit too, so the nested object carries one."""
    document = json.loads(body)
    for index, item in enumerate(document["items"]):
        item["balance"] = round(100 + index % 901 + (index % 100) / 100, 2)
        item["dunning"] = {"level": index % 3, "dueDate": f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}"}
    return json.dumps(document).encode()


def _in_memory(body: bytes) -> httpx.MockTransport:
    headers = {"content-type": "application/json"}
    return httpx.MockTransport(lambda request: httpx.Response(200, headers=headers, content=body))


def _async_in_memory(body: bytes) -> httpx.MockTransport:
    headers = {"content-type": "application/json"}

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=body)

    return httpx.MockTransport(handler)


def client_bodies() -> dict[str, tuple[str, str, bytes]]:
    """The 2b bodies: the operation's method name, the path and the bytes."""
    products_path = f"{INVOICE_PATH}/recurring-products"
    products = recurring_product_list_body(products_path, LIST_SIZE)
    invoices = invoice_list_body(LIST_SIZE)
    return {
        f"{LIST_SIZE:,} recurring products": ("list_recurring_products", products_path, products),
        f"{LIST_SIZE:,} recurring products, {UNDECLARED_MEMBERS} undeclared members each": (
            "list_recurring_products",
            products_path,
            with_undeclared_members(products),
        ),
        f"{LIST_SIZE:,} invoices": ("list_invoices", PREFIX, invoices),
        f"{LIST_SIZE:,} invoices, {UNDECLARED_MEMBERS} undeclared members each": (
            "list_invoices",
            PREFIX,
            with_undeclared_members(invoices),
        ),
    }


def _client_contenders(
    loop: asyncio.AbstractEventLoop,
    plain: tuple[httpx.Client, httpx.AsyncClient],
    clients: tuple[BillingInvoiceClient, AsyncBillingInvoiceClient],
    method: str,
    url: str,
) -> dict[str, Contender]:
    """Plain httpx (sync and async) and every public way the clients decode the body at `url`."""
    args = () if method == "list_invoices" else (INVOICE_NO,)
    (sync_plain, async_plain), (sync, async_client) = plain, clients
    path = httpx.URL(url).path
    raw = getattr(sync.with_raw_response, method)

    async def async_plain_json() -> object:
        return json.loads((await async_plain.get(url)).content)

    return {
        "httpx + json.loads": lambda: json.loads(sync_plain.get(url).content),
        "async httpx + json.loads": lambda: loop.run_until_complete(async_plain_json()),
        "exact": lambda: getattr(sync.exact, method)(*args),
        "attrs": lambda: getattr(sync, method)(*args),
        "raw parse_exact": lambda: raw(*args).parse_exact(),
        "raw parse": lambda: raw(*args).parse(),
        "follow": lambda: sync.follow(path),
        "async exact": lambda: loop.run_until_complete(getattr(async_client.exact, method)(*args)),
        "async attrs": lambda: loop.run_until_complete(getattr(async_client, method)(*args)),
    }


def bench_client_in_memory(report: Report, *, quick: bool) -> None:
    """Each 2b body through every public way of decoding it (sync and async, exact and attrs, the raw response's
    `parse`/`parse_exact`, `follow`) on an in-memory transport, against plain httpx (sync or async) on the same
    transport + `json.loads`; and the peak memory of one exact call against the body."""
    rounds, memory_runs = (5, 1) if quick else (11, 3)
    base_url = "https://bench.invalid"
    for shape, (method, path, body) in client_bodies().items():
        with (
            event_loop() as loop,
            httpx.Client(transport=_in_memory(body)) as plain,
            BillingInvoiceClient(owner_no=OWNER_NO, token=TOKEN, base_url=base_url, transport=_in_memory(body)) as sync,
        ):
            async_plain = httpx.AsyncClient(transport=_async_in_memory(body))
            async_client = AsyncBillingInvoiceClient(
                owner_no=OWNER_NO, token=TOKEN, base_url=base_url, transport=_async_in_memory(body)
            )
            contenders = _client_contenders(loop, (plain, async_plain), (sync, async_client), method, base_url + path)
            for name, call in contenders.items():
                if _item_count(call()) != LIST_SIZE:
                    raise RuntimeError(f"{name} did not return {LIST_SIZE} items of {shape}")
            samples = interleave(contenders, rounds=rounds, batch=1, warmup=2)
            exact_peaks = [float(peak_bytes(contenders["exact"])) for _ in range(memory_runs)]
            loop.run_until_complete(async_client.close())
            loop.run_until_complete(async_plain.aclose())
        section = f"2b client, in-memory transport, {shape}"
        report.samples[section] = samples
        for name in ("exact", "raw parse_exact", "attrs", "raw parse", "follow", "async exact", "async attrs"):
            plain_name = "async httpx + json.loads" if name.startswith("async") else "httpx + json.loads"
            goal = 1.0 if "exact" in name else 2.5
            add_ratio(report, section, samples, name, plain_name, goal=goal)
        peak = statistics.median(exact_peaks)
        detail = f"peak {peak / 2**20:.1f} MiB, body {len(body) / 2**20:.2f} MiB"
        report.figures.append(Figure(section, "exact peak / body", peak / len(body), None, 4.0, detail))
    report.notes.append(
        f"2b: {rounds} rounds of one call per contender after 2 warm-up calls; `follow` reads the attrs models; "
        f"the undeclared members are a number and a nested object per item"
    )


# 3. invoice_lines with server latency.


def invoice_lines_routes() -> dict[str, bytes]:
    """An invoice with 2 customer-level products and 50 subscriptions of 20 products each."""
    routes = {
        INVOICE_PATH: json.dumps(DOCUMENTED_INVOICE).encode(),
        f"{INVOICE_PATH}/recurring-products": recurring_product_list_body(f"{INVOICE_PATH}/recurring-products", 2),
    }
    subscriptions = []
    for index in range(SUBSCRIPTIONS):
        subscription_no = str(46701000000 + index)
        path = f"{INVOICE_PATH}/subscriptions/{subscription_no}"
        subscriptions.append(
            {"@id": path, "subscriptionNo": subscription_no, "recurringProducts": f"{path}/recurring-products"}
        )
        routes[f"{path}/recurring-products"] = recurring_product_list_body(
            f"{path}/recurring-products", PRODUCTS_PER_SUBSCRIPTION
        )
    routes[f"{INVOICE_PATH}/subscriptions"] = json.dumps(
        {"items": subscriptions, "navigation": {"@id": f"{INVOICE_PATH}/subscriptions"}}
    ).encode()
    return routes


def round_trips(max_concurrency: int) -> int:
    """The fewest sequential round trips `invoice_lines` needs: the first three calls, then the products."""
    return 1 + math.ceil(SUBSCRIPTIONS / max_concurrency)


@contextlib.contextmanager
def event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh event loop, driven with `run_until_complete`.

    Not `asyncio.Runner`: in the main thread its `run` installs and then restores a SIGINT handler, and restoring
    it formats the repr of the finished task, result included (about 17 ms for one `InvoiceLines` of 1,000
    products), which would be timed with every call.
    """
    loop = asyncio.new_event_loop()
    try:
        yield loop
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def plain_lines(loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient, base_url: str, limit: int) -> Contender:
    """The requests `invoice_lines` makes, by plain httpx + `json.loads`, at most `limit` in flight: the invoice, its
    products and its subscriptions at once, then every subscription's products."""
    slots = asyncio.Semaphore(limit)

    async def get(path: str) -> Any:
        async with slots:
            response = await client.get(base_url + path)
        return json.loads(response.content)

    async def lines() -> list[Any]:
        _, _, subscriptions = await asyncio.gather(
            get(INVOICE_PATH), get(f"{INVOICE_PATH}/recurring-products"), get(f"{INVOICE_PATH}/subscriptions")
        )
        links = [item["recurringProducts"] for item in subscriptions["items"]]
        return list(await asyncio.gather(*(get(link) for link in links)))

    def call() -> object:
        return loop.run_until_complete(lines())

    return call


def bench_invoice_lines(report: Report, *, quick: bool) -> None:
    """Async `invoice_lines` (max_concurrency 8, 25, 64; httpx's own transport and httpx-aiohttp's) and the sync
    one, against one request's latency; beside them plain httpx making the same requests 64 at a time."""
    rounds = 3 if quick else 9
    limits = (8, 25, 64)
    with event_loop() as loop, BenchServerProcess(invoice_lines_routes(), latency=LATENCY_SECONDS) as server:
        clients = {
            f"async, max_concurrency {limit}": AsyncBillingInvoiceClient(
                owner_no=OWNER_NO, token=TOKEN, base_url=server.url, max_concurrency=limit
            )
            for limit in limits
        }
        clients |= {
            f"async aiohttp, max_concurrency {limit}": AsyncBillingInvoiceClient(
                owner_no=OWNER_NO, token=TOKEN, base_url=server.url, max_concurrency=limit, http_backend="aiohttp"
            )
            for limit in (8, 64)
        }
        first = clients["async, max_concurrency 8"]
        plain = httpx.AsyncClient(limits=httpx.Limits(max_connections=64, max_keepalive_connections=64))
        with BillingInvoiceClient(owner_no=OWNER_NO, token=TOKEN, base_url=server.url) as sync_client:
            contenders: dict[str, Contender] = {
                "one request": lambda: loop.run_until_complete(first.exact.get_invoice(INVOICE_NO)),
                **{name: _async_lines(loop, client) for name, client in clients.items()},
                "plain httpx, 64 in flight": plain_lines(loop, plain, server.url, 64),
                "sync": lambda: sync_client.invoice_lines(INVOICE_NO),
            }
            in_flight = _observed_concurrency(server, contenders)
            samples = interleave(contenders, rounds=rounds, batch=1, warmup=1)
        for client in clients.values():
            loop.run_until_complete(client.close())
        loop.run_until_complete(plain.aclose())
    section = f"3 invoice_lines, {SUBSCRIPTIONS}x{PRODUCTS_PER_SUBSCRIPTION}, {LATENCY_SECONDS * 1000:.0f} ms latency"
    report.samples[section] = samples
    for name in clients:
        limit = int(name.rsplit(" ", 1)[1])
        extra = f"; floor {round_trips(limit)}x"
        add_ratio(report, section, samples, name, "one request", goal=_lines_goal(name, limit), extra=extra)
    add_ratio(report, section, samples, "plain httpx, 64 in flight", "one request", goal=None, extra="; floor 2x")
    add_ratio(report, section, samples, "sync", "one request", goal=None)
    report.notes.append(
        f"invoice_lines: {rounds} rounds after one warm-up; {SUBSCRIPTIONS + 3} requests per call; goals: at "
        "max_concurrency 8 within 1.15 x its floor, at 64 within 3 x one request with aiohttp (the backend the "
        "README recommends for concurrency); most requests in flight at the "
        "server: " + "; ".join(f"{name}: {count}" for name, count in in_flight.items())
    )


def _lines_goal(name: str, limit: int) -> float | None:
    """At 8 in flight within 1.15x the floor; at 64, 3x one request on the backend the README recommends for
    concurrency (httpx-aiohttp); httpx's own transport at 64 is shown beside it, without a goal."""
    if limit == 8:
        return 1.15 * round_trips(8)
    return 3.0 if limit == 64 and "aiohttp" in name else None


def bench_http_versions(report: Report, *, quick: bool) -> None:
    """`invoice_lines` at max_concurrency 8 and 64 over HTTP/1.1 and HTTP/2 (httpx + h2) and through
    httpx-aiohttp, all against one Hypercorn server (`bench._h2_server`), against one HTTP/1.1 request."""
    rounds = 3 if quick else 9
    with event_loop() as loop, HypercornProcess(invoice_lines_routes(), latency=LATENCY_SECONDS) as server:
        options: dict[str, dict[str, Any]] = {
            "HTTP/1.1": {"http_client": httpx.AsyncClient(timeout=30.0)},
            "HTTP/2": {"http_client": httpx.AsyncClient(http1=False, http2=True, timeout=30.0)},
            "aiohttp": {"http_backend": "aiohttp"},
        }
        clients = {
            f"{name}, max_concurrency {limit}": AsyncBillingInvoiceClient(
                owner_no=OWNER_NO, token=TOKEN, base_url=server.url, max_concurrency=limit, **option
            )
            for name, option in options.items()
            for limit in (8, 64)
        }
        first = clients["HTTP/1.1, max_concurrency 8"]
        contenders: dict[str, Contender] = {
            "one request": lambda: loop.run_until_complete(first.exact.get_invoice(INVOICE_NO)),
            **{name: _async_lines(loop, client) for name, client in clients.items()},
        }
        samples = interleave(contenders, rounds=rounds, batch=1, warmup=1)
        for client in clients.values():
            loop.run_until_complete(client.close())
        for option in options.values():
            if "http_client" in option:
                loop.run_until_complete(option["http_client"].aclose())
    section = "3b invoice_lines on Hypercorn: HTTP/1.1, HTTP/2, aiohttp"
    report.samples[section] = samples
    for name in clients:
        limit = int(name.rsplit(" ", 1)[1])
        add_ratio(report, section, samples, name, "one request", goal=None, extra=f"; floor {round_trips(limit)}x")
    report.notes.append(
        "3b: Hypercorn 0.18 serves HTTP/2 in cleartext with prior knowledge (httpx `http1=False, http2=True`); it "
        "runs in a child process on the same two cores, so its own CPU weighs on these figures more than the "
        "asyncio server's on section 3"
    )


def _async_lines(loop: asyncio.AbstractEventLoop, client: AsyncBillingInvoiceClient) -> Contender:
    def call() -> object:
        lines = loop.run_until_complete(client.invoice_lines(INVOICE_NO))
        products = sum(len(item.recurring_products) for item in lines.subscriptions)
        if products != SUBSCRIPTIONS * PRODUCTS_PER_SUBSCRIPTION:
            raise RuntimeError("invoice_lines did not return every product")
        return lines

    return call


def _observed_concurrency(server: BenchServerProcess, contenders: Mapping[str, Contender]) -> dict[str, int]:
    observed = {}
    for name, call in contenders.items():
        server.reset_counts()
        call()
        observed[name] = server.max_in_flight
    return observed


# 5. Import cost.


def bench_import(report: Report, *, quick: bool) -> None:
    """`python -c "import payex_billing_invoice"` against `python -c "import httpx"`, whole processes in pairs.

    Both packages are timed as installed, with their bytecode compiled: an installer compiles it, and where
    `PYTHONDONTWRITEBYTECODE` is set (as on this project's machines) an editable checkout would otherwise be
    compiled from source at every start."""
    runs = 7 if quick else 21
    for package in ("payex_billing_invoice", "payex_billing_invoice_openapi"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1)
    commands = {
        "import payex_billing_invoice": [sys.executable, "-c", "import payex_billing_invoice"],
        "import httpx": [sys.executable, "-c", "import httpx"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for index in range(runs + 1):
        order = list(commands) if index % 2 else list(reversed(commands))
        for name in order:
            seconds, output, status = run_timed(commands[name])
            if status != 0:
                raise RuntimeError(f"{name} failed: {output[-300:]}")
            if index:  # the first pair warms the file cache
                samples[name].append(seconds * 1e9)
    section = "5 import"
    report.samples[section] = samples
    add_ratio(report, section, samples, "import payex_billing_invoice", "import httpx", goal=2.0)
    pydantic = run_timed([sys.executable, "-c", "import sys, payex_billing_invoice; print('pydantic' in sys.modules)"])
    report.notes.append(
        f"import: {runs} pairs of whole processes, order alternating; pydantic imported by the package: "
        f"{pydantic[1].strip()}"
    )


# 4. The pipeline.


def run_timed(argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> tuple[float, str, int]:
    """Wall seconds, combined output and exit status of `argv` run in the repository."""
    started = time.perf_counter_ns()
    result = subprocess.run(  # noqa: S603 - the repository's own tools
        list(argv),
        cwd=ROOT,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        check=False,
    )
    return (time.perf_counter_ns() - started) / 1e9, result.stdout + result.stderr, result.returncode


@dataclass(frozen=True, slots=True)
class Probe:
    """What measures the start-up of one program run: a label, the command and its `VIRTUAL_ENV`."""

    label: str
    argv: tuple[str, ...]
    venv: str


# Programs the logged ones start without nox seeing them: the generators' ruff runs (openapi-python-client's two
# post-hooks in pipeline/openapi-python-client.yaml, datamodel-codegen's ruff-check and ruff-format formatters),
# the generators themselves when a module drives them, and the Prism mock the tests start once per run.
_GENERATORS = ("openapi-python-client", "ruff", "ruff", "datamodel-codegen", "ruff", "ruff")
HIDDEN_STARTS: Mapping[str, tuple[str, ...]] = {
    "openapi-python-client": ("ruff", "ruff"),
    "datamodel-codegen": ("ruff", "ruff"),
    "pipeline.generate": _GENERATORS,
    "pytest": (str(ROOT / "node_modules" / ".bin" / "prism"),),
}
VERSION_PROBED = frozenset({"openapi-python-client", "datamodel-codegen", "ruff", "mypy", "pytest", "redocly", "npm"})


def startup_probes(log: str) -> list[Probe]:
    """One probe per program start behind a nox run, from the commands its log says it ran (`nox > ...`)."""
    probes: list[Probe] = []
    session = ""
    for line in log.splitlines():
        text = line.removeprefix("nox > ")
        if text == line:
            continue
        if text.startswith("Running session "):
            session = text.removeprefix("Running session ").strip()
            continue
        try:
            argv = shlex.split(text)
        except ValueError:
            continue
        venv = str(ROOT / ".nox" / session)
        name = Path(argv[0]).name if argv else ""
        if name == "uv":
            probes.append(Probe(f"{session}: {shlex.join([name, *argv[1:3]])}", tuple(argv), venv))
        elif name == "python" and argv[1:2] == ["-m"] and len(argv) > 2:
            python = str(Path(venv) / "bin" / "python")
            probes.append(Probe(f"python -c 'import {argv[2]}'", (python, "-c", f"import {argv[2]}"), venv))
            probes += [_version_probe(program, venv) for program in HIDDEN_STARTS.get(argv[2], ())]
        elif name in VERSION_PROBED:
            probes += [_version_probe(program, venv) for program in (argv[0], *HIDDEN_STARTS.get(name, ()))]
    return probes


def _version_probe(program: str, venv: str) -> Probe:
    path = program if os.sep in program else str(Path(venv) / "bin" / program)
    return Probe(f"{Path(program).name} --version", (path, "--version"), venv)


def startup_seconds(probes: Sequence[Probe], runs: int) -> tuple[float, dict[str, tuple[int, float]]]:
    """The probes' total seconds (median of `runs` per distinct probe) and, per label, their count and seconds."""
    distinct = list(dict.fromkeys((probe.argv, probe.venv) for probe in probes))
    seconds: dict[tuple[tuple[str, ...], str], list[float]] = {key: [] for key in distinct}
    for _ in range(runs):
        for argv, venv in distinct:
            seconds[(argv, venv)].append(run_timed(argv, env={**os.environ, "VIRTUAL_ENV": venv})[0])
    by_label: dict[str, tuple[int, float]] = {}
    for probe in probes:
        count, total = by_label.get(probe.label, (0, 0.0))
        by_label[probe.label] = (count + 1, total + statistics.median(seconds[(probe.argv, probe.venv)]))
    return sum(total for _, total in by_label.values()), by_label


def bench_pipeline(report: Report, *, runs: int = 3) -> None:
    """Wall time of `nox -s drift` and `nox -s regenerate` on the unchanged spec, and their start-up share."""
    nox = ROOT / ".tools" / "bin" / "nox"
    if not nox.exists():
        report.notes.append(f"pipeline: skipped, {nox.relative_to(ROOT)} is missing (run scripts/bootstrap)")
        return
    sessions = ("drift", "regenerate")
    nox_start = [str(nox), "--list"]
    walls: dict[str, list[float]] = {name: [] for name in (*sessions, "nox start")}
    per_session: dict[str, dict[str, list[float]]] = {name: {} for name in sessions}
    failures: dict[str, set[str]] = {name: set() for name in sessions}
    with tempfile.TemporaryDirectory() as scratch:
        reports = {name: Path(scratch) / f"{name}.json" for name in sessions}
        commands = {name: [str(nox), "-s", name, "--report", str(reports[name])] for name in sessions}
        logs = {name: run_timed(commands[name])[1] for name in sessions}
        for _ in range(runs):
            for name in sessions:
                seconds, _, status = run_timed(commands[name])
                walls[name].append(seconds)
                for result in json.loads(reports[name].read_text())["sessions"] if reports[name].exists() else []:
                    per_session[name].setdefault(result["name"], []).append(result["duration"])
                    if result["result"] != "success":
                        failures[name].add(f"{result['name']} {result['result']}")
                if status != 0 and not failures[name]:
                    failures[name].add(f"exit status {status}")
            walls["nox start"].append(run_timed(nox_start)[0])
    nox_seconds = statistics.median(walls["nox start"])
    section = "4 pipeline"
    report.samples[section] = {name: [seconds * 1e9 for seconds in values] for name, values in walls.items()}
    for name in sessions:
        wall = statistics.median(walls[name])
        startup, parts = startup_seconds(startup_probes(logs[name]), runs)
        startup += nox_seconds
        breakdown = ", ".join(
            f"{label}{f' x{count}' if count > 1 else ''} {total:.2f} s" for label, (count, total) in parts.items()
        )
        sessions_text = ", ".join(f"{key} {statistics.median(value):.1f} s" for key, value in per_session[name].items())
        failed = f"FAILED ({', '.join(sorted(failures[name]))}); " if failures[name] else ""
        detail = (
            f"{failed}wall {wall:.1f} s (median of {runs}; sessions: {sessions_text}); start-up {startup:.1f} s = "
            f"nox start {nox_seconds:.2f} s + {breakdown}"
        )
        report.figures.append(Figure(section, f"nox -s {name}: start-up / wall", startup / wall, None, None, detail))
    report.notes.append(
        "pipeline: wall = `.tools/bin/nox -s NAME` from start to exit, after one untimed run that brings the "
        "reused environments up to date; start-up = `nox --list` (nox and the noxfile) + every `uv pip install` "
        "nox ran, re-run as is on the reused environment + `--version` of every other program nox ran "
        "(`python -c 'import MODULE'` for `python -m MODULE`) and of those they start unseen by nox (four ruff "
        "runs per generation, Prism once per pytest run); medians of as many runs. `--version` pays interpreter "
        "start and the entry imports, not the imports a real run adds later, so the share is a lower bound."
    )


# The report.


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else ""
    return {
        "cpu": model or platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {
            name: metadata.version(name)
            for name in (
                "httpx",
                "httpcore",
                "msgspec",
                "pydantic",
                "pydantic-core",
                "attrs",
                "orjson",
                "httpx-aiohttp",
            )
        },
        "load_average": [round(value, 2) for value in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table."""
    lines = ["| section | figure | ratio | spread (IQR) | goal | holds | medians |", "|---|---|---:|---|---:|---|---|"]
    for figure in figures:
        goal = f"≤ {figure.goal:g}x" if figure.goal is not None else "—"
        holds = {True: "yes", False: "**no**", None: "—"}[figure.holds]
        spread = f"{figure.spread[0]:.2f}-{figure.spread[1]:.2f}" if figure.spread else "—"
        cells = (figure.section, figure.name, f"{figure.ratio:.2f}x", spread, goal, holds, figure.detail)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=ROOT / "reports" / "bench.json", help="where to write the JSON")
    parser.add_argument("--quick", action="store_true", help="fewer rounds, and no pipeline timing")
    parser.add_argument("--no-pipeline", action="store_true", help="every round, but no pipeline timing")
    parser.add_argument("--check", action="store_true", help="exit 1 when a figure misses its goal")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report = Report()
    host = machine()
    bench_per_call(report, quick=args.quick)
    bench_decode(report, quick=args.quick)
    bench_client_in_memory(report, quick=args.quick)
    bench_invoice_lines(report, quick=args.quick)
    bench_http_versions(report, quick=args.quick)
    bench_import(report, quick=args.quick)
    if not (args.quick or args.no_pipeline):
        bench_pipeline(report)
    seconds = time.perf_counter() - started
    flags = [flag for flag, given in (("--quick", args.quick), ("--no-pipeline", args.no_pipeline)) if given]
    command = " ".join(["python -m bench.run", *flags])
    host["load_average_after"] = [round(value, 2) for value in os.getloadavg()] if hasattr(os, "getloadavg") else None
    print(f"{command} on {host['cpus']} x {host['cpu']}, Python {host['python']}, {host['platform']}")
    print(table(report.figures))
    for note in report.notes:
        print(f"- {note}")
    for title, markdown in report.tables.items():
        print(f"\n{title}:\n\n{markdown}\n")
    print(f"- ran in {seconds:.0f} s")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "command": command,
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "machine": host,
        "figures": [{**asdict(figure), "holds": figure.holds} for figure in report.figures],
        "notes": report.notes,
        "tables": report.tables,
        "samples": report.samples,
    }
    args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"- JSON: {args.json}")
    missed = [figure for figure in report.figures if figure.holds is False]
    for figure in missed:
        print(f"MISSED: {figure.section}: {figure.name} {figure.ratio:.2f}x (goal <= {figure.goal:g}x)")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
