"""The whole pipeline on a Swashbuckle-shaped document, in a temporary copy of the repository.

Fetch (convert, normalize, apply the overlay), generate, type-check the hand-written package against the new
generated one, and call every facade method against a transport serving the new effective document's
examples: the day the real document arrives, in small.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline._swashbuckle import SAMPLE, as_swagger2, sample_document, schemas_renamed, without_operation_ids
from tests.pipeline.conftest import ROOT

TIMEOUT = 300


def _tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return [name for name in listed.split("\0") if name]


@pytest.fixture
def repository_copy(tmp_path: Path) -> Path:
    """The tracked files of this repository, with its node_modules linked in."""
    copy = tmp_path / "repository"
    for name in _tracked_files():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    (copy / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return copy


def _run(copy: Path, *command: str) -> subprocess.CompletedProcess[str]:
    first = [str(copy), str(copy / "overlay"), str(copy / "generated")]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(first)}
    environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "")])
    result = subprocess.run(
        command, cwd=copy, env=environment, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result


SMOKE_SCRIPT = Path(__file__).with_name("_smoke_facade.py")


@pytest.mark.skipif(not SAMPLE.is_file(), reason=f"no sample document at {SAMPLE}")
@pytest.mark.parametrize("flavour", ["openapi 3", "swagger 2.0, no operationIds, other names"])
def test_the_pipeline_takes_a_swashbuckle_document_with_no_hand_edit(
    repository_copy: Path, tmp_path: Path, flavour: str
) -> None:
    document = sample_document()
    if flavour != "openapi 3":
        document = as_swagger2(schemas_renamed(without_operation_ids(document)))
    source = tmp_path / "swagger.json"
    source.write_text(json.dumps(document), encoding="utf-8")

    fetched = _run(repository_copy, sys.executable, "-m", "pipeline.fetch_spec", str(source))
    assert fetched.stdout.startswith("fetch_spec: changed spec/upstream.yaml")
    shutil.rmtree(repository_copy / "generated" / "payex_billing_invoice_openapi")
    _run(repository_copy, sys.executable, "-m", "pipeline.generate", "spec/openapi.yaml", "generated")
    _run(repository_copy, sys.executable, "-m", "pipeline.fetch_spec", "--check")
    _run(repository_copy, sys.executable, "-m", "mypy", "--no-incremental", "overlay")
    smoke = _run(repository_copy, sys.executable, str(SMOKE_SCRIPT), "spec/openapi.yaml")

    assert smoke.stdout.splitlines() == [
        "list_invoices InvoiceList",
        "get_invoice Invoice",
        "list_recurring_products RecurringProductList",
        "list_subscriptions SubscriptionList",
        "get_subscription Subscription",
        "list_subscription_recurring_products RecurringProductList",
        "invoice_lines 499.0",
        "null invoiceNo None",
        "alignment []",
    ]
