"""Call every facade method against a transport serving an effective document's examples; print what came back.

    python tests/pipeline/_smoke_facade.py SPEC

Run from a copy of the repository with its overlay/ and generated/ first on ``PYTHONPATH``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx
import yaml

import payex_billing_invoice_openapi
from payex_billing_invoice import BillingInvoiceClient, present
from payex_billing_invoice._operations import ENDPOINTS
from pipeline.overlay_alignment import overlay_alignment, spec_operation


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(
        "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]+\})", template))
    )


def main() -> None:
    spec: dict[str, Any] = yaml.safe_load(Path(sys.argv[1]).read_text(encoding="utf-8"))
    assert Path(payex_billing_invoice_openapi.__file__).resolve().is_relative_to(Path.cwd().resolve())
    bodies = []
    for operation_id, endpoint in ENDPOINTS.items():
        examples = spec_operation(spec, operation_id)["responses"]["200"]["content"]["application/json"]["examples"]
        bodies.append((_pattern(endpoint.path_template), next(iter(examples.values()))["value"]))
    override: dict[str, Any] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = override.get(path) or next(value for pattern, value in bodies if pattern.fullmatch(path))
        return httpx.Response(200, json=body, headers={"Content-Type": "application/json"})

    with BillingInvoiceClient(
        owner_no="xxx", token="token", base_url="https://lf-api.payex.com", transport=httpx.MockTransport(answer)
    ) as client:
        print("list_invoices", type(client.list_invoices()).__name__)
        print("get_invoice", type(client.get_invoice("603010")).__name__)
        print("list_recurring_products", type(client.list_recurring_products("603010")).__name__)
        print("list_subscriptions", type(client.list_subscriptions("603010")).__name__)
        print("get_subscription", type(client.get_subscription("603010", "46701234567")).__name__)
        products = client.list_subscription_recurring_products("603010", "46701234567")
        print("list_subscription_recurring_products", type(products).__name__)
        print("invoice_lines", client.invoice_lines("603010").total)
        override["/billing/invoice/v1/xxx/invoices/1"] = {"invoiceNo": None}
        print("null invoiceNo", present(client.exact.get_invoice("1").invoice_no))
    print("alignment", json.dumps(overlay_alignment(spec)))


if __name__ == "__main__":
    main()
