"""The distribution ships both import packages, typed, with the testing kit and its spec, and nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests._prism import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip would build from the checkout."""
    out = tmp_path_factory.mktemp("wheel")
    build = "import sys, hatchling.build; hatchling.build.build_wheel(sys.argv[1])"  # the PEP 517 hook pip calls
    subprocess.run([sys.executable, "-c", build, str(out)], cwd=ROOT, check=True, capture_output=True)
    (found,) = out.glob("payex_billing_invoice-*.whl")
    return found


def test_wheel_ships_the_overlay_and_the_generated_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {name.split("/", 1)[0] for name in names if "/" in name and ".dist-info/" not in name}
    assert packages == {"payex_billing_invoice", "payex_billing_invoice_openapi"}
    assert {
        "payex_billing_invoice/py.typed",
        "payex_billing_invoice/_client.py",
        "payex_billing_invoice/testing.py",
        "payex_billing_invoice/_pytest_plugin.py",
        "payex_billing_invoice/openapi.json",
        "payex_billing_invoice_openapi/py.typed",
        "payex_billing_invoice_openapi/strict_models.py",
        "payex_billing_invoice_openapi/exact_models.py",
        "payex_billing_invoice_openapi/_exact_base.py",
        "payex_billing_invoice_openapi/api/invoices/get_invoice.py",
    } <= names


def test_the_packages_import_with_warnings_as_errors() -> None:
    modules = "payex_billing_invoice, payex_billing_invoice._cli, payex_billing_invoice_openapi.strict_models"
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", f"import {modules}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_wheel_registers_the_pytest_plugin(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (entry_points,) = [name for name in archive.namelist() if name.endswith(".dist-info/entry_points.txt")]
    text = archive.read(entry_points).decode()
    assert "[pytest11]\npayex_billing_invoice = payex_billing_invoice._pytest_plugin" in text


def test_the_unpacked_wheel_mocks_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    """Its `--mock` needs no spec/ folder, no Node and no network: the fake and its spec are in the wheel."""
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAYEX_BILLING_")}
    env |= {"PYTHONPATH": str(tmp_path / "site"), "PATH": str(Path(sys.executable).parent)}
    command = [sys.executable, "-m", "payex_billing_invoice", "--mock"]
    where = [sys.executable, "-c", "import payex_billing_invoice; print(payex_billing_invoice.__file__)"]
    found = subprocess.run(where, cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert found.stdout.startswith(str(tmp_path / "site"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *args], cwd=elsewhere, env=env, capture_output=True, text=True, check=False)

    lines = run("lines", "603010")
    assert lines.returncode == 0, lines.stderr
    assert "the lines add up to it" in lines.stdout
    missing = run("invoice", "999999")
    assert missing.returncode == 3, missing.stderr
