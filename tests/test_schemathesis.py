"""schemathesis against `payex-billing-invoice mock --server fake`: every check and phase, the ids from the spec's
examples, bounded in examples and time. No answer may be a server error or a wrong answer to a method the API
does not declare (the standard library's 501 text/html was both)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from payex_billing_invoice._cli import MOCK_OWNER_NO
from tests._prism import ROOT, free_port

SPEC = ROOT / "spec" / "openapi.yaml"
SECONDS = 20
"""The stateful and fuzzing phases repeat until this is spent."""
FORBIDDEN = {"ST101": "server error", "ST204": "wrong answer to an undeclared method"}
BY_DESIGN = {"ST401"}
"""The fake takes any bearer token (docs/testing.md): schemathesis reports that it accepts invalid credentials."""


@contextmanager
def mock_command(port: int) -> Iterator[str]:
    """`payex-billing-invoice mock --server fake` on a loopback port; its URL, then SIGINT."""
    command = [sys.executable, "-m", "payex_billing_invoice", "mock", "--server", "fake", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def example_ids() -> dict[str, str]:
    """A value for every path parameter: the spec's example, or the fake's ledger for the one without."""
    from pipeline._spec_document import load_yaml  # noqa: PLC0415 - the pipeline reads the spec as CI does

    ids = {"ownerNo": MOCK_OWNER_NO}
    for item in load_yaml(SPEC.read_text(encoding="utf-8"))["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and "example" in parameter:
                    ids[parameter["name"]] = str(parameter["example"])
    return ids


def test_schemathesis_finds_no_server_error_and_no_wrong_answer_to_an_undeclared_method(tmp_path: Path) -> None:
    ids = example_ids()
    assert set(ids) == {"ownerNo", "invoiceNo", "subscriptionNo"}
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "[parameters]\n" + "".join(f'"path.{name}" = {json.dumps(value)}\n' for name, value in ids.items())
    )
    report = tmp_path / "report.json"
    with mock_command(free_port()) as url:
        # fmt: off
        run = [
            str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config), "run", str(SPEC),
            "--url", url, "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
            "--max-examples", "10", "--max-time", str(SECONDS), "--workers", "1", "--seed", "1",
            "--header", "Authorization: Bearer any", "--generation-database", "none", "--no-color",
            "--report", "json", "--report-json-path", str(report),
        ]
        # fmt: on
        result = subprocess.run(run, capture_output=True, text=True, timeout=SECONDS + 120, check=False, cwd=tmp_path)

    outcome: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    assert outcome["complete"], result.stdout[-3000:]
    assert outcome["operations"]["tested"] == outcome["operations"]["total"] == 6
    assert outcome["errors"] == []
    assert all(phase["status"] != "skipped" for phase in outcome["phases"].values()), outcome["phases"]
    found = {failure["code"]: failure["title"] for failure in outcome["failures"]}
    assert not found.keys() & FORBIDDEN.keys(), result.stdout[-3000:]
    assert found.keys() <= BY_DESIGN, found
