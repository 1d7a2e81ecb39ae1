"""The API diff: pairs of documents made from the committed spec, checked at the spec, Python and overlay levels.

Each pair runs optic and both generators; packages are generated once per document for the whole session.
"""

from __future__ import annotations

import copy
import html
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from pipeline import api_diff
from pipeline._api_diff_optic import OpticError, OpticOutput, optic_findings, run_optic
from pipeline._api_diff_overlay import classify
from pipeline._api_diff_python import _members, _type_text
from pipeline._api_diff_report import (
    MAX_CELL_CHARS,
    Finding,
    Report,
    Side,
    group,
    render_json,
    render_markdown,
    render_summary,
)
from pipeline._api_diff_spec import describe, provenance_findings, resolve_refs, spec_findings
from pipeline._spec_document import dump_snapshot, load_yaml, normalize
from pipeline.generate import GenerationError, generate
from pipeline.generate import main as generate_main
from tests._examples import resolve
from tests._prism import ROOT
from tests.pipeline._hostile import as_bytes, ref_chain
from tests.pipeline._swashbuckle import without_operation_ids

SPEC_PATH = ROOT / "spec" / "openapi.yaml"
UPSTREAM_PATH = ROOT / "spec" / "upstream.yaml"
OVERLAY_PATH = ROOT / "spec" / "payex.overlay.yaml"
SAMPLE = ROOT.parent / "shared" / "reference" / "upstream-sample" / "swashbuckle-sample-oas3.json"
RECURRING = ("/recurring-products", "/subscriptions/{subscriptionNo}/recurring-products")
LIST = "/billing/invoice/v1/{ownerNo}/invoices"
INVOICE = "/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}"
SUBSCRIPTION = "/billing/invoice/v1/{ownerNo}/invoices/{invoiceNo}/subscriptions/{subscriptionNo}"
Document = dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """What one run of the API diff gave."""

    code: int
    report: dict[str, Any]
    markdown: str

    def rows(self, level: str, source: str | None = None) -> list[dict[str, Any]]:
        """The report's findings of one level (and source)."""
        return [
            row
            for row in self.report["findings"]
            if row["level"] == level and (source is None or row["source"] == source)
        ]

    def breaking_total(self) -> int:
        """How many rows break, over every level."""
        return int(self.report["breaking"])

    def find(self, level: str, text: str, *, source: str | None = None) -> dict[str, Any]:
        """The one finding of a level whose change contains ``text``."""
        matches = [row for row in self.rows(level, source) if text in row["change"]]
        assert len(matches) == 1, (text, [row["change"] for row in self.rows(level)])
        return matches[0]


Diff = Callable[[Document, Document], Outcome]


@pytest.fixture(scope="module")
def base() -> Document:
    """The committed spec, read with the pipeline's JSON data model."""
    document: Document = load_yaml(SPEC_PATH.read_text())
    return document


@pytest.fixture(scope="session")
def generation_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Packages generated from a document, shared by every test of the session."""
    return tmp_path_factory.mktemp("api-diff-generated")


@pytest.fixture
def diff(tmp_path: Path, generation_cache: Path, capsys: pytest.CaptureFixture[str]) -> Diff:
    """Run the API diff in-process on two documents; return its exit status and both reports."""

    def run(old: Document, new: Document) -> Outcome:
        old_path, new_path = _write(tmp_path / "old.yaml", old), _write(tmp_path / "new.yaml", new)
        markdown, report = tmp_path / "report.md", tmp_path / "report.json"
        arguments = [str(old_path), str(new_path), "--markdown", str(markdown), "--json", str(report)]
        code = api_diff.main([*arguments, "--cache-dir", str(generation_cache)])
        assert capsys.readouterr().out == markdown.read_text()
        return Outcome(code, json.loads(report.read_text()), markdown.read_text())

    return run


def _write(path: Path, document: Document) -> Path:
    path.write_bytes(dump_snapshot(normalize(document)))
    return path


def _with_limit(document: Document, *, required: bool) -> Document:
    changed = copy.deepcopy(document)
    parameter = {"name": "limit", "in": "query", "required": required, "schema": {"type": "integer"}}
    changed["paths"][LIST]["get"]["parameters"].append(parameter)
    return changed


def _without_subscription(document: Document) -> Document:
    changed = copy.deepcopy(document)
    del changed["paths"][SUBSCRIPTION]
    return changed


def additive(document: Document) -> Document:
    """Only additions: an optional parameter, a property, a response, a server; an inferred schema documented."""
    changed = _with_limit(document, required=False)
    changed["servers"].append({"url": "https://lf-api-test.payex.com", "description": "Test"})
    changed["components"]["schemas"]["Invoice"]["properties"]["dueDate"] = {"type": "string", "format": "date"}
    changed["paths"][LIST]["get"]["responses"]["429"] = {"$ref": "#/components/responses/BadRequest"}
    product = changed["components"]["schemas"]["RecurringProduct"]
    product["x-payex-provenance"] = "documented"
    product["properties"]["vatAmount"] = {"type": "number", "format": "double"}
    return changed


def upstream_example(document: Document) -> Document:
    """A "real" document as PayEx might publish it: recurring products documented, a property renamed, an enum."""
    changed = copy.deepcopy(document)
    product = changed["components"]["schemas"]["RecurringProduct"]
    product["x-payex-provenance"] = "documented"
    product["x-payex-source"] = "Invoice-from-swagger"
    product["description"] = "One invoiced recurring fee or credit."
    properties = product["properties"]
    properties["productCode"] = properties.pop("productNo")
    properties["currency"]["enum"] = ["SEK", "NOK", "DKK", "EUR"]
    return changed


# The pairs below share documents where they can (OLD of one is NEW of an earlier one): each document is
# generated once per session.


def test_removed_operation(diff: Diff, base: Document) -> None:
    outcome = diff(base, _without_subscription(base))
    assert outcome.code == 1
    removal = outcome.find("spec", "cannot remove an operation", source="optic")
    assert removal["breaking"]
    assert removal["scopes"] == [f"GET {SUBSCRIPTION}"]
    assert removal["consequences"] > 0
    assert len(outcome.rows("spec")) == 1
    module = outcome.find("python", "module removed", source="griffe")
    assert module["where"] == "`api.invoices`: `get_invoice_subscription`"
    orphaned = outcome.find("overlay", "get_subscription calls ")
    assert orphaned["breaking"]
    assert orphaned["category"] == "orphaned"
    assert "get_subscription" in outcome.report["affected_methods"]
    assert outcome.markdown.startswith("❌ **")


def test_additive_change_and_inferred_schema_documented(diff: Diff, base: Document) -> None:
    outcome = diff(base, additive(base))
    assert outcome.code == 0, outcome.markdown
    assert outcome.report["breaking"] == 0
    assert outcome.markdown.startswith("✅ **Nothing breaks**")
    spec_changes = {row["change"] for row in outcome.rows("spec")}
    assert {"parameter added", "property added", "response added", "server added"} <= spec_changes
    assert outcome.find("python", "optional parameter added: `limit`")["source"] == "ours"
    added = {row["where"] for row in outcome.rows("python", "ours") if row["change"] == "attribute added"}
    assert {"`models.invoice.Invoice`: `due_date`", "`strict_models.Invoice`: `due_date`"} <= added
    provenance = outcome.rows("provenance")
    assert [(row["where"], row["change"]) for row in provenance] == [
        ("schema `RecurringProduct`", "inferred → documented")
    ]
    assert "| schema `RecurringProduct` | inferred → documented | ours |" in outcome.markdown


def test_new_required_query_parameter_and_optional_parameter_made_required(diff: Diff, base: Document) -> None:
    old = additive(base)
    new = copy.deepcopy(old)
    parameters = new["paths"][LIST]["get"]["parameters"]
    parameters[-1]["required"] = True
    parameters.append({"name": "from", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}})
    outcome = diff(old, new)
    assert outcome.code == 1
    added = outcome.find("spec", "cannot add required query parameter from", source="optic")
    required = outcome.find("spec", "cannot make optional query parameter 'limit' required", source="optic")
    assert added["breaking"]
    assert required["breaking"]
    assert added["where"] == f"`GET {LIST}` · query parameter `from`"
    assert "every call must now send the query parameter `from`: add it" in added["action"]
    assert not outcome.rows("spec", "ours"), "optic flags both; our checks add nothing"
    functions = "`api.invoices.list_invoices`: `asyncio`, `asyncio_detailed`, `sync`, `sync_detailed`"
    assert outcome.find("python", "parameter was added as required: `from_`")["where"] == functions
    assert outcome.find("python", "parameter is now required: `limit`")["where"] == functions
    for name in ("from", "limit"):
        row = outcome.find("overlay", f"requires query parameter {name}, which the facade does not send")
        assert row["breaking"]
    assert outcome.report["affected_methods"] == ["list_invoices"]


def type_change_of(outcome: Outcome, old: str, new: str) -> dict[str, Any]:
    """The one attrs-level type change from a type naming `old` to one naming `new` (`| None` as the spec says)."""
    before, after = (rf"`(None \| )?{re.escape(name)}( \| None)? \| Unset`" for name in (old, new))
    pattern = re.compile(f"type changed: {before} → {after}")
    matches = [row for row in outcome.rows("python") if pattern.search(row["change"])]
    assert len(matches) == 1, (pattern.pattern, [row["change"] for row in outcome.rows("python")])
    return matches[0]


def test_response_property_removed_and_type_and_format_changed(diff: Diff, base: Document) -> None:
    new = copy.deepcopy(base)
    schemas = new["components"]["schemas"]
    del schemas["Invoice"]["properties"]["invoiceDate"]
    schemas["Invoice"]["properties"]["invoiceAmount"] = {"type": "string"}
    schemas["InvoiceListItem"]["properties"]["invoiceDate"]["format"] = "date-time"
    outcome = diff(base, new)
    assert outcome.code == 1
    removed = outcome.find("spec", "cannot remove response property 'invoiceDate'", source="optic")
    assert removed["where"] == f"`GET {INVOICE}` · response 200 · `invoiceDate`"
    assert removed["action"].startswith("a response member is gone: code reading `invoiceDate` breaks")
    assert not [row for row in outcome.report["findings"] if "not to be expanded" in row["change"]]
    type_change = outcome.find("spec", "type changed: number (double) → string")
    assert type_change["breaking"]
    format_change = outcome.find("spec", "type changed: string (date) → string (date-time)", source="ours")
    assert format_change["breaking"]
    assert format_change["where"] == f"`GET {LIST}` · response 200 · `items[].invoiceDate`"
    removed_attributes = {p for row in outcome.rows("python", "griffe") for p in row["pointers"]}
    assert {"models.invoice.Invoice.invoice_date", "strict_models.Invoice.invoice_date"} <= removed_attributes
    amount = outcome.find("python", "type changed: `float | Unset` → `str | Unset`", source="ours")
    assert amount["where"] == "`models.invoice.Invoice`: `invoice_amount`"
    assert type_change_of(outcome, "datetime.date", "datetime.datetime")["breaking"]


def test_realistic_upstream_document(diff: Diff, base: Document) -> None:
    outcome = diff(base, upstream_example(base))
    assert outcome.code == 1
    removed = outcome.find("spec", "cannot remove response property 'productNo'", source="optic")
    assert removed["scopes"] == [f"GET {INVOICE}/recurring-products", f"GET {SUBSCRIPTION}/recurring-products"]
    assert removed["detail"] == "`productCode` is added beside it with the same type: renamed?"
    assert not outcome.find("spec", "now restricted to enum 'SEK', 'NOK', 'DKK', 'EUR'", source="ours")["breaking"]
    assert type_change_of(outcome, "str", "RecurringProductCurrency")["breaking"]
    assert outcome.rows("provenance")[0]["change"] == "inferred → documented"


def test_enum_value_removed_and_added(diff: Diff, base: Document) -> None:
    old = upstream_example(base)
    new = copy.deepcopy(old)
    new["components"]["schemas"]["RecurringProduct"]["properties"]["currency"]["enum"] = ["SEK", "NOK", "EUR", "GBP"]
    outcome = diff(old, new)
    assert outcome.code == 1
    removed = outcome.find("spec", "enum values removed: 'DKK'", source="ours")
    assert (removed["breaking"], removed["severity"]) == (False, "info"), "a client receives fewer values"
    assert removed["scopes"] == [f"GET {INVOICE}/recurring-products", f"GET {SUBSCRIPTION}/recurring-products"]
    assert removed["where"].endswith("response 200 · `items[].currency`")
    added = outcome.find("spec", "cannot add enum option 'GBP'", source="optic")
    assert (added["breaking"], added["severity"]) == (False, "warning")
    assert "models generated from OLD reject values they do not know" in added["detail"]
    removed_members = {row["where"] for row in outcome.rows("python", "griffe") if row["change"] == "attribute removed"}
    assert removed_members == {"`strict_models.Currency`: `dkk`", "`exact_models.Currency`: `dkk`"}
    assert outcome.find("python", "values removed: 'DKK'", source="ours")["severity"] == "warning"
    assert not outcome.find("python", "values added: 'GBP'", source="ours")["breaking"]


def test_new_problem_type_without_exception_class(diff: Diff, base: Document) -> None:
    new = copy.deepcopy(base)
    new["x-payex-problem-types"].append(
        {"code": "invoice-locked", "typecode": "billing/invoice/problems/invoice-locked", "status": 409}
    )
    new["paths"][INVOICE]["get"]["x-payex-problem-types"].append("invoice-locked")
    outcome = diff(base, new)
    assert outcome.code == 1
    added = outcome.find("spec", "problem type added", source="ours")
    assert not added["breaking"]
    assert added["where"] == "`invoice-locked` (HTTP 409)"
    assert outcome.find("spec", "may now answer problem type `invoice-locked`")["scopes"] == [f"GET {INVOICE}"]
    missing = outcome.find("overlay", "problem type invoice-locked (HTTP 409) has no exception class")
    assert missing["breaking"]
    assert missing["where"] == "exception class for `invoice-locked`"
    assert not outcome.rows("python")


def test_path_parameter_renamed(diff: Diff, base: Document) -> None:
    new = copy.deepcopy(base)
    item = new["paths"].pop(INVOICE)
    item["get"]["parameters"][1] = {"name": "invoiceId", "in": "path", "required": True, "schema": {"type": "string"}}
    new["paths"][INVOICE.replace("{invoiceNo}", "{invoiceId}")] = item
    outcome = diff(base, new)
    assert outcome.code == 1
    renamed = outcome.find("spec", "path parameter renamed: `invoiceNo` → `invoiceId`", source="ours")
    assert not renamed["breaking"]
    assert [row["change"] for row in outcome.rows("spec")] == [renamed["change"]]
    assert outcome.find("python", "parameter was removed: `invoice_no`", source="griffe")["breaking"]
    assert outcome.find("python", "parameter was added as required: `invoice_id`", source="griffe")["breaking"]
    # The facade's binding of that operation no longer fits (the wording is overlay_alignment's).
    bindings = [row for row in outcome.rows("overlay") if row["where"].startswith(("route template", "facade"))]
    assert any(row["breaking"] for row in bindings)
    assert all(row["severity"] in ("error", "warning") and row["action"] for row in bindings)


def test_old_as_a_git_ref_in_a_subprocess(tmp_path: Path, generation_cache: Path) -> None:
    head = subprocess.run(["git", "show", "HEAD:spec/openapi.yaml"], cwd=ROOT, capture_output=True, check=True)
    new_path = _write(tmp_path / "new.yaml", _without_subscription(load_yaml(head.stdout.decode())))
    markdown, report = tmp_path / "diff.md", tmp_path / "diff.json"
    command = [sys.executable, "-m", "pipeline.api_diff", "HEAD:spec/openapi.yaml", str(new_path), "--warn-only"]
    command += ["--summary"]
    command += ["--markdown", str(markdown), "--json", str(report), "--cache-dir", str(generation_cache)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert data["old"]["label"] == "HEAD:spec/openapi.yaml"
    assert data["old"]["overlay"] == ""
    assert data["counts"]["spec"] == {"changes": 1, "breaking": 1, "warnings": 0}
    assert result.stdout.startswith(f"❌ {data['breaking']} breaking changes (Spec (upstream) 1 · Python API ")
    assert "  Spec (upstream): 1 change, 1 breaking\n" in result.stdout
    assert markdown.read_text().startswith(f"❌ **{data['breaking']} breaking changes** (Spec (upstream) 1 · ")


def test_swagger2_document_is_converted(tmp_path: Path) -> None:
    swagger = {
        "swagger": "2.0",
        "info": {"title": "PayEx Billing Invoice API", "version": "2.0"},
        "host": "lf-api.payex.com",
        "basePath": "/billing",
        "schemes": ["https"],
        "paths": {
            "/invoice/v1/{ownerNo}/invoices": {
                "get": {
                    "operationId": "listInvoices",
                    "produces": ["application/json"],
                    "parameters": [{"name": "ownerNo", "in": "path", "required": True, "type": "string"}],
                    "responses": {"200": {"description": "The invoices.", "schema": {"$ref": "#/definitions/List"}}},
                }
            }
        },
        "definitions": {"List": {"type": "object", "properties": {"items": {"type": "array", "items": {}}}}},
    }
    path = tmp_path / "swagger.json"
    path.write_text(json.dumps(swagger))
    converted = api_diff.read_input(str(path), "NEW")
    assert converted.input_version == "swagger 2.0"
    assert converted.document["openapi"].startswith("3.0")
    assert converted.document["servers"] == [{"url": "https://lf-api.payex.com/billing"}]
    assert converted.side().api_version == "2.0"


def test_identical_documents_need_no_tools(tmp_path: Path, base: Document, capsys: pytest.CaptureFixture[str]) -> None:
    as_json = tmp_path / "same.json"
    as_json.write_text(json.dumps(base))
    markdown = tmp_path / "r.md"
    code = api_diff.main(
        [str(SPEC_PATH), str(as_json), "--markdown", str(markdown), "--json", str(tmp_path / "r.json")]
    )
    assert code == 0
    assert markdown.read_text().startswith("✅ **Nothing breaks** (0 other changes).")
    assert "the same document once normalized" in capsys.readouterr().out


UNREADABLE = {
    "broken.yaml": "openapi: 3.0.3\ninfo: [unclosed\n",
    "page.html": "<!doctype html><html><body>Sign in</body></html>",
    "list.json": "[1, 2]",
    "incomplete.yaml": "openapi: 3.0.3\ninfo:\n  title: x\n",
}


@pytest.mark.parametrize(
    ("pair", "reason"),
    [
        (
            ("missing.yaml", ""),
            "OLD: 'missing.yaml' is neither a file nor a git ref with spec/upstream.yaml or spec/openapi.yaml (git: ",
        ),
        (("no-such-ref~3", ""), "OLD: 'no-such-ref~3' is neither a file nor a git ref"),
        (("", "broken.yaml"), "NEW: invalid YAML in"),
        (("", "page.html"), "NEW: "),
        (("", "list.json"), "NEW: "),
        (("", "incomplete.yaml"), "NEW: not a valid OpenAPI 3.0.3 document"),
    ],
)
def test_unreadable_input_exits_2_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pair: tuple[str, str],
    reason: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in UNREADABLE.items():
        Path(name).write_text(text)
    old, new = (argument or str(SPEC_PATH) for argument in pair)
    code = api_diff.main([old, new, "--markdown", "r.md", "--json", "r.json"])
    error = capsys.readouterr().err
    assert code == 2
    assert error.count("\n") == 1
    assert error.startswith(f"api_diff: error: {reason}")
    assert not Path("r.md").exists()


@pytest.mark.parametrize(
    ("flat", "reason"),
    [(True, "expands to more than 1000000 values"), (False, "nests deeper than 64 levels")],
    ids=["size", "depth"],
)
def test_a_30_level_ref_chain_is_refused_before_anything_expands_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], flat: bool, reason: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("chain.json").write_bytes(as_bytes(ref_chain(30, flat=flat)))

    started = time.perf_counter()
    code = api_diff.main([str(SPEC_PATH), "chain.json", "--markdown", "r.md", "--json", "r.json", "--no-cache"])

    assert time.perf_counter() - started < 5
    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith(f"api_diff: error: NEW: the document {reason} once its $refs are resolved")
    assert "along the $ref chain '#/components/schemas/Invoice' → '#/components/schemas/S0' → " in error
    assert error.count("\n") == 1
    assert not Path("r.md").exists()


def test_missing_optic_is_a_tool_error(tmp_path: Path) -> None:
    with pytest.raises(OpticError, match="optic is not installed: run `npm ci`"):
        run_optic(SPEC_PATH, SPEC_PATH, tmp_path)


def test_optic_results_fold_consequences_and_skip_covered_diffs(base: Document) -> None:
    resolved = resolve_refs(base)
    operation = "/paths/" + SUBSCRIPTION.replace("/", "~1") + "/get"
    invoice = "/paths/" + INVOICE.replace("/", "~1") + "/get"

    def result(pointer: str, name: str, error: str, change: str = "removed") -> dict[str, Any]:
        location = {"jsonPath": pointer, "spec": "before"}
        return {
            "name": name,
            "error": error,
            "passed": False,
            "exempted": False,
            "severity": 2,
            "type": change,
            "location": location,
        }

    output = OpticOutput(
        results=[
            result(operation + "/responses/200", "prevent response status code removal", "must not remove 200."),
            result(operation, "prevent operation removal", "cannot remove an operation. This is a breaking change."),
            {"name": "passing", "passed": True, "location": {"jsonPath": invoice}},
        ],
        diffs=[
            {"before": operation, "trail": "", "change": "removed"},
            {"after": invoice + "/parameters/1", "trail": "", "change": "added"},
            {
                "after": invoice + "/responses/200/content/application~1json/schema/properties/x",
                "trail": "",
                "change": "added",
            },
            {
                "after": invoice + "/responses/200/content/application~1json/schema/description",
                "trail": "/description",
                "change": "changed",
            },
        ],
    )
    findings = optic_findings(output, resolved, resolved)
    assert [(f.change, f.breaking, f.consequences) for f in findings] == [
        ("cannot remove an operation", True, 1),
        ("property added", False, 0),
    ]
    assert findings[1].where == "response 200 · `x`"


def test_our_checks_on_servers_security_and_request_enums(base: Document) -> None:
    new = copy.deepcopy(base)
    new["servers"] = new["servers"][:1]
    new["components"]["securitySchemes"]["apiKey"] = {"type": "apiKey", "in": "header", "name": "X-Key"}
    new["security"] = [{"apiKey": []}]
    old = _with_limit(base, required=False)
    old["paths"][LIST]["get"]["parameters"][-1]["schema"]["enum"] = [10, 50]
    new = _with_limit(new, required=False)
    new["paths"][LIST]["get"]["parameters"][-1]["schema"]["enum"] = [10, 50, 100]
    findings = {(f.change, f.breaking) for f in spec_findings(old, new)}
    assert ("security requirement changed: payexToken → apiKey", True) in findings
    assert ("security scheme added", False) in findings
    assert ("server removed", False) in findings
    assert ("enum values added: 100", False) in findings, "a wider request enum breaks nothing"


def test_provenance_of_an_unmarked_document(base: Document) -> None:
    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: strip(value) for key, value in node.items() if key != "x-payex-provenance"}
        return [strip(value) for value in node] if isinstance(node, list) else node

    changes = {(f.where, f.change) for f in provenance_findings(base, strip(base))}
    assert (f"operation `GET {SUBSCRIPTION}`", "inferred → unmarked") in changes
    assert ("schema `RecurringProduct`", "inferred → unmarked") in changes
    assert all("documented" not in change for _, change in changes)


def test_describe_reads_pointers(base: Document) -> None:
    resolved = resolve_refs(base)
    pointer = "/paths/" + LIST.replace("/", "~1") + "/get/responses/200/content/application~1json/schema"
    assert describe(pointer + "/properties/items/items/properties/invoiceNo", resolved) == (
        f"GET {LIST}",
        "response 200 · `items[].invoiceNo`",
    )
    assert describe("/paths/" + LIST.replace("/", "~1") + "/get/parameters/0", resolved) == (
        f"GET {LIST}",
        "path parameter `ownerNo`",
    )


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "operation getInvoicePdf (GET /x) has no facade method in the overlay",
            ("missing", "facade method", "getInvoicePdf"),
        ),
        (
            "overlay method get_subscription calls getInvoiceSubscription, which the spec lacks",
            ("orphaned", "facade method", "get_subscription"),
        ),
        ("overlay route template '/a/{b}' (getX) has no spec operation", ("orphaned", "route template", "/a/{b}")),
        ("operation getInvoice: overlay route template '/a' != '/b'", ("changed", "route template", "getInvoice")),
        (
            "operation getInvoice: 200 schema 'Other' but the overlay returns attrs Invoice",
            ("changed", "model", "Invoice"),
        ),
        (
            "operation getInvoice: BillingInvoiceClient.get_invoice is missing",
            ("changed", "facade method", "BillingInvoiceClient.get_invoice"),
        ),
        (
            "problem type invoice-locked (HTTP 409) has no exception class in the overlay",
            ("missing", "exception class", "invoice-locked"),
        ),
        (
            "problem type validation: ValidationProblem status 400, spec 422",
            ("changed", "exception class", "ValidationProblem"),
        ),
        (
            "exception class InvoiceNotFound maps problem type invoice-not-found, which the spec lacks",
            ("orphaned", "exception class", "InvoiceNotFound"),
        ),
        (
            f"operation GET {LIST} (no operationId) has no facade method in the overlay",
            ("missing", "facade method", f"GET {LIST}"),
        ),
        (
            f"overlay method list_invoices calls GET {LIST}, which the spec lacks",
            ("orphaned", "facade method", "list_invoices"),
        ),
        (
            f"operation GET {LIST}: requires query parameter customerNo, which the facade does not send",
            ("missing", "facade parameter", "customerNo"),
        ),
        (f"operation GET {LIST}: operationId 'GetInvoices', but ...", ("changed", "operationId", f"GET {LIST}")),
        ("something new", ("changed", "overlay", "")),
    ],
)
def test_overlay_messages_are_classified(message: str, expected: tuple[str, str, str]) -> None:
    assert classify(message) == expected


def test_python_annotations_and_values_are_compared_by_meaning() -> None:
    annotated = 'Annotated[StrictStr | None, Field(alias="@id", description="Old text.")]'
    assert _type_text(annotated) == _type_text(annotated.replace("Old text.", "New text."))
    assert _type_text(annotated) == "StrictStr | None (alias '@id')"
    assert _members('Literal["EUR", "SEK"]') == ["'EUR'", "'SEK'"]
    assert _members("{'EUR', 'SEK'}") == ["'EUR'", "'SEK'"]
    assert _members("make()") is None


def test_markdown_reads_verdict_first_then_a_table_per_level() -> None:
    side = Side("HEAD:spec/openapi.yaml", "0" * 64, "openapi 3.0.3", "1.1")
    findings = [
        Finding("spec", "cannot remove an operation", "GET /x", True, "optic", scope="getX"),
        Finding("spec", "enum values removed: 'A'", "response 200 · `a`", True, "ours", scope="getX"),
        Finding("spec", "enum values removed: 'A'", "response 200 · `a`", True, "ours", scope="getY"),
        Finding("python", "module removed", "`api`", True, "griffe", scope="get_x"),
        Finding("provenance", "inferred → documented", "schema `X`", False, "ours"),
    ]
    report = Report(side, side, group(findings), affected_methods=["get_x"])
    markdown = render_markdown(report)
    lines = markdown.splitlines()
    assert lines[0] == "❌ **3 breaking changes** (Spec (upstream) 2 · Python API 1) and 1 other change."
    assert "| enum values removed: 'A' | `getX`, `getY` · response 200 · `a` | ❌ yes |  | ours |" in lines
    assert "| module removed | `api`: `get_x` | ❌ yes |  | griffe |" in lines
    assert markdown.index("## Spec") < markdown.index("## Python API") < markdown.index("## Overlay")
    assert markdown.index("## Overlay") < markdown.index("## Provenance")
    assert "Facade methods whose operation has a breaking spec change: `get_x`." in lines
    assert json.loads(render_json(report))["counts"]["spec"] == {"changes": 2, "breaking": 2, "warnings": 0}
    assert render_summary(report).startswith("❌ 3 breaking changes")


def _table_rows(markdown: str) -> list[list[str]]:
    """The body rows of every table, as markdown-it-py (CommonMark with GFM tables) reads them."""
    rows: list[list[str]] = []
    in_body = False
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type in ("tbody_open", "tbody_close"):
            in_body = token.type == "tbody_open"
        elif in_body and token.type == "tr_open":
            rows.append([])
        elif in_body and token.type == "inline":
            rows[-1].append(token.content)
    return rows


def _report_with(text: str) -> str:
    side = Side("HEAD:spec/upstream.yaml", "0" * 64, "openapi 3.0.3", "1.1")
    findings = [
        Finding("spec", text, text, True, "ours", scope=text),
        Finding("spec", "operation removed", "GET /x", True, "ours", scope="getX"),
    ]
    return render_markdown(Report(side, side, group(findings)))


@pytest.mark.parametrize(
    "hostile",
    ["x" * 50_000, "a|b\\|c \\", "title\x1b]0;owned\x07\x1b[2J", "invoice\u202eNo\u200b", "two\nlines\r\n| 1 | 2 |"],
    ids=["long", "pipes", "escapes", "bidi", "newlines"],
)
def test_a_hostile_cell_stays_in_its_cell(hostile: str) -> None:
    markdown = _report_with(hostile)

    rows = _table_rows(markdown)
    assert [len(row) for row in rows] == [len(row) for row in _table_rows(_report_with("plain"))]
    assert ["operation removed", "`getX` · GET /x"] in [row[:2] for row in rows]
    assert all(
        len(re.sub(r" … \(\d+ more characters\)$", "", _shown(cell))) <= MAX_CELL_CHARS for row in rows for cell in row
    )
    assert not {"\x1b", "\x07", "\u202e", "\u200b"} & set(markdown)


def test_a_plain_cell_is_shown_as_written() -> None:
    [row] = [row for row in _table_rows(_report_with("enum values removed: 'A'")) if row[0].startswith("enum")]
    assert row[:2] == ["enum values removed: 'A'", "`enum values removed: 'A'` · enum values removed: 'A'"]


HOSTILE = "@payex/billing-team #12 <img src=https://attacker.invalid/p.png> <details open> <!-- `a|b` ``` | "
"""Upstream text that GitHub would render as a mention, an issue link, an image, a folded section, a comment that
hides what follows it, a code span's end and a table cell's end."""
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
_RENDERED_TAGS = {"p", "strong", "code", "blockquote", "h2", "table", "thead", "tbody", "tr", "th", "td"}


def hostile(base: Document) -> Document:
    """The committed document carrying ``HOSTILE`` in its version, a server, a pattern and an enum value, and
    a 1 MB description given as an enum value too (what our checks quote)."""
    description = (HOSTILE * (1_000_000 // len(HOSTILE) + 1))[:1_000_000]
    new = _with_limit(copy.deepcopy(base), required=False)
    new["info"]["version"] = "1.2 " + HOSTILE
    new["servers"].append({"url": "https://x.invalid/" + HOSTILE})
    schema = new["paths"][LIST]["get"]["parameters"][-1]["schema"]
    new["paths"][LIST]["get"]["parameters"][-1].update(description=description)
    schema.update(type="string", pattern=HOSTILE, enum=["a", HOSTILE, description])
    return new


def test_a_report_of_a_hostile_document_renders_as_plain_text(tmp_path: Path, base: Document) -> None:
    _write(tmp_path / "old.yaml", _with_limit(base, required=False))
    _write(tmp_path / "new.yaml", hostile(base))
    old, new = (api_diff.read_input(str(tmp_path / f"{role.lower()}.yaml"), role) for role in ("OLD", "NEW"))
    report = Report(old.side(), new.side(), group(spec_findings(old.document, new.document)), notes=[HOSTILE])

    markdown = render_markdown(report)
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)

    assert {name for _, name in _TAG.findall(rendered)} <= _RENDERED_TAGS, "no live tag, no <img>, no <details>"
    assert "<!--" not in rendered
    assert not re.findall(r"[@#][A-Za-z0-9]", re.sub(r"<code>.*?</code>", "", rendered)), "GitHub links none in code"
    assert [len(row) for row in _table_rows(markdown)] == [3] * 6 + [5] * len(report.rows) != [3] * 6
    assert len(markdown) < 50_000
    assert markdown.count(" more characters)") == 1
    assert f"<td><code>{html.escape('https://x.invalid/' + HOSTILE.strip())}</code></td>" in rendered
    [version] = [row[2] for row in _table_rows(markdown) if row[0] == "`info.version`"]
    assert _shown(version) == "1.2 " + HOSTILE.replace("`a|b`", "a|b").strip()
    exact = json.loads(render_json(report))
    assert exact["new"]["api_version"] == "1.2 " + HOSTILE
    description = hostile(base)["paths"][LIST]["get"]["parameters"][-1]["description"]
    assert any(description in finding["change"] for finding in exact["findings"])


def _shown(cell: str) -> str:
    """The text a table cell's inline Markdown shows: tags dropped, entities read, zero-width joiners gone."""
    inline = MarkdownIt("commonmark").renderInline(cell.replace("\\|", "|"))
    return html.unescape(re.sub(r"<[^>]+>", "", inline)).replace("\u200d", "")


def test_generation_failure_names_the_reason(tmp_path: Path, base: Document) -> None:
    new = copy.deepcopy(base)
    new["paths"][INVOICE + "/pdf"] = {
        "get": {
            "operationId": "getInvoicePdf",
            "responses": {
                "200": {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string"}}}}
            },
        }
    }
    with pytest.raises(GenerationError, match="openapi-python-client failed: WARNING parsing GET"):
        generate(_write(tmp_path / "openapi.yaml", new), tmp_path / "out")


def test_generate_command_line_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert generate_main([]) == 2
    assert "usage: python -m pipeline.generate SPEC OUT_ROOT" in capsys.readouterr().err


# Upstream documents: the committed spec/upstream.yaml and variants of it, with the working tree's overlay.


@pytest.fixture(scope="module")
def upstream() -> Document:
    """The committed upstream document."""
    document: Document = load_yaml(UPSTREAM_PATH.read_text())
    return document


def breaking_upstream(document: Document) -> Document:
    """A recurring product's `amount` renamed `price`, and a required `customerNo` query parameter on the list.

    The product's schema is found through the operation, whatever upstream calls it.
    """
    changed = copy.deepcopy(document)
    for suffix in RECURRING:
        media = changed["paths"][INVOICE + suffix]["get"]["responses"]["200"]["content"]["application/json"]
        listing = resolve(changed, media["schema"])
        properties = resolve(changed, listing["properties"]["items"]["items"])["properties"]
        if "amount" in properties:
            properties["price"] = properties.pop("amount")
    parameter = {"name": "customerNo", "in": "query", "required": True, "schema": {"type": "string"}}
    changed["paths"][LIST]["get"]["parameters"].append(parameter)
    return changed


def test_real_breaking_change_of_an_upstream_document(diff: Diff, upstream: Document) -> None:
    outcome = diff(upstream, breaking_upstream(upstream))
    assert outcome.code == 1
    assert outcome.report["old"]["overlay"] == outcome.report["new"]["overlay"] == "spec/payex.overlay.yaml"
    removed = outcome.find("spec", "cannot remove response property 'amount'", source="optic")
    assert removed["breaking"]
    assert removed["scopes"] == [f"GET {INVOICE}{suffix}" for suffix in RECURRING]
    assert removed["detail"] == "`price` is added beside it with the same type: renamed?"
    assert removed["action"] == (
        "a response member is gone: code reading `items[].amount` breaks; rename it in the overlay's targets and in "
        "the facade (overlay/payex_billing_invoice: _operations.py, _models.py, _lines.py)"
    )
    required = outcome.find("spec", "cannot add required query parameter customerNo", source="optic")
    assert required["breaking"]
    assert required["where"] == f"`GET {LIST}` · query parameter `customerNo`"
    stale = outcome.rows("stale")
    assert stale
    assert all(row["breaking"] and row["action"].startswith("update or remove this overlay action") for row in stale)
    assert any(row["where"].endswith(".properties.amount`") for row in stale)
    assert "## Stale overlay actions" in outcome.markdown
    assert not outcome.rows("effective", "optic") or all(
        "amount" not in row["change"] for row in outcome.rows("effective")
    ), "the effective level does not repeat the upstream level's rows"
    python = {p for row in outcome.rows("python") for p in row["pointers"]}
    assert "models.recurring_product.RecurringProduct.amount" in python
    assert "list_invoices" in outcome.report["affected_methods"]
    assert all(row["action"] for row in outcome.report["findings"] if row["breaking"]), "every breaking row says"


def test_head_against_a_breaking_document_in_a_subprocess(
    tmp_path: Path, upstream: Document, generation_cache: Path
) -> None:
    document = _write(tmp_path / "breaking.yaml", breaking_upstream(upstream))
    command = [sys.executable, "-m", "pipeline.api_diff", "HEAD", str(document), "--cache-dir", str(generation_cache)]
    command += ["--markdown", str(tmp_path / "r.md"), "--json", str(tmp_path / "r.json")]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 1, result.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["old"]["label"] == "HEAD:spec/upstream.yaml"
    assert data["old"]["overlay"] == "HEAD:spec/payex.overlay.yaml"
    assert "cannot remove response property 'amount'" in result.stdout
    assert "cannot add required query parameter customerNo" in result.stdout


@pytest.mark.skipif(not SAMPLE.is_file(), reason="the shared Swashbuckle sample is not on this machine")
def test_swashbuckle_sample_matches_operations_by_method_and_path(diff: Diff) -> None:
    sample = json.loads(SAMPLE.read_text())
    outcome = diff(_plainer(sample), sample)
    rows = outcome.report["findings"]
    assert not [row for row in rows if row["level"] in ("spec", "effective") and row["breaking"]]
    assert not outcome.rows("overlay"), "the same six operations, bound by method and path"
    assert not outcome.rows("stale")
    assert not [row for row in rows if "not to be expanded" in row["change"]]
    assert not [row for row in rows if row["category"] in ("operation-added", "operation-removed")]
    renamed = [row for row in outcome.rows("spec") if row["category"] == "operation-id"]
    assert len(renamed) == 6
    assert not any(row["breaking"] for row in renamed)
    assert f"`GET {LIST}` · operationId" in {row["where"] for row in renamed}
    assert {row["change"] for row in outcome.rows("spec") if row["category"] == "nullable"} == {"may now be null"}
    added = {row["where"] for row in outcome.rows("spec") if row["change"] == "property added"}
    assert any(where.endswith("`items[].quantity`") for where in added)
    assert len(outcome.rows("spec")) < 60
    assert outcome.breaking_total() == outcome.report["counts"]["python"]["breaking"] < 45  # three model families


def test_effective_document_the_generators_refuse_is_one_row(diff: Diff, base: Document) -> None:
    pdf = {
        "get": {
            "operationId": "getInvoicePdf",
            "parameters": base["paths"][INVOICE]["get"]["parameters"],
            "responses": {
                "200": {"description": "PDF", "content": {"application/pdf": {"schema": {"type": "string"}}}}
            },
        }
    }
    refused = copy.deepcopy(base)
    refused["paths"][INVOICE + "/pdf"] = pdf
    outcome = diff(base, refused)
    assert outcome.code == 1
    generation = outcome.find("python", "NEW cannot be generated: openapi-python-client failed")
    assert generation["breaking"]
    assert len(outcome.rows("python")) == 1
    assert " at 0x" not in generation["change"], "object addresses are stripped: the same refusal, the same words"
    assert not outcome.rows("overlay")
    assert "Not compared: NEW cannot be generated" in outcome.markdown
    also_refused = _with_limit(refused, required=False)
    both = diff(refused, also_refused)
    assert not both.rows("python")
    assert any("not comparable" in note for note in both.report["notes"])
    assert both.code == 0, "the same refusal on both sides does not decide the verdict"


def _plainer(document: Document) -> Document:
    """The document with no operationIds, no nullable members and no `quantity` or subscription `description`."""
    text = json.dumps(without_operation_ids(document)).replace('"nullable": true', '"nullable": false')
    plainer: Document = json.loads(text)
    for schema in plainer["components"]["schemas"].values():
        properties = schema.get("properties", {})
        properties.pop("quantity", None)
        if "subscriptionNo" in properties:
            properties.pop("description", None)
    return plainer


def test_operation_id_change_is_a_row_of_its_own(upstream: Document) -> None:
    unnamed = without_operation_ids(upstream)
    named = copy.deepcopy(unnamed)
    named["paths"][LIST]["get"]["operationId"] = "GetInvoices"
    renamed = copy.deepcopy(named)
    renamed["paths"][LIST]["get"]["operationId"] = "Invoices_GetInvoices"
    for old, new, text in (
        (unnamed, named, "operationId changed: (none) → GetInvoices"),
        (named, renamed, "operationId changed: GetInvoices → Invoices_GetInvoices"),
    ):
        findings = spec_findings(old, new)
        assert [(f.change, f.scope, f.breaking) for f in findings] == [(text, f"GET {LIST}", False)]


def test_git_ref_is_upstream_and_its_overlay(tmp_path: Path) -> None:
    head = api_diff.read_input("HEAD", "OLD")
    assert head.label == "HEAD:spec/upstream.yaml"
    assert head.overlay == "HEAD:spec/payex.overlay.yaml"
    committed = subprocess.run(["git", "show", "HEAD:spec/openapi.yaml"], cwd=ROOT, capture_output=True, check=True)
    assert head.effective is not None
    assert head.effective.snapshot == committed.stdout
    assert not head.stale
    before_split = api_diff.read_input("6421b13~1", "OLD")
    assert before_split.label == "6421b13~1:spec/openapi.yaml"
    assert before_split.overlay == ""
    assert before_split.effective is not None
    assert before_split.effective.snapshot == before_split.snapshot
    effective_file = api_diff.read_input(str(SPEC_PATH), "NEW")
    assert effective_file.overlay == ""
    assert effective_file.notes


def test_provenance_compares_the_effective_documents(tmp_path: Path, generation_cache: Path) -> None:
    text = OVERLAY_PATH.read_text()
    marked = "operationId: getInvoiceSubscription\n      x-payex-provenance: inferred"
    assert marked in text
    overlay = tmp_path / "documented.overlay.yaml"
    overlay.write_text(text.replace(marked, marked.replace("inferred", "documented")))
    old = api_diff.read_input(str(UPSTREAM_PATH), "OLD")
    new = api_diff.read_input(str(UPSTREAM_PATH), "NEW", overlay=overlay)
    report = api_diff.build_report(old, new, cache=generation_cache)
    moves = [(row.location(), row.change) for row in report.rows if row.level == "provenance"]
    assert moves == [(f"operation `GET {SUBSCRIPTION}`", "inferred → documented")]
    assert not report.breaking()
    assert "upstream documents are the same" in report.level_notes["spec"]
