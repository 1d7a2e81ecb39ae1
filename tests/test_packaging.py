"""The distribution ships both import packages, typed, and nothing else of the repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests._prism import ROOT


def test_wheel_ships_the_overlay_and_the_generated_package(tmp_path: Path) -> None:
    build = "import sys, hatchling.build; hatchling.build.build_wheel(sys.argv[1])"  # the PEP 517 hook pip calls
    subprocess.run([sys.executable, "-c", build, str(tmp_path)], cwd=ROOT, check=True, capture_output=True)
    (wheel,) = tmp_path.glob("payex_billing_invoice-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {name.split("/", 1)[0] for name in names if "/" in name and ".dist-info/" not in name}
    assert packages == {"payex_billing_invoice", "payex_billing_invoice_openapi"}
    assert {
        "payex_billing_invoice/py.typed",
        "payex_billing_invoice/_client.py",
        "payex_billing_invoice_openapi/py.typed",
        "payex_billing_invoice_openapi/strict_models.py",
        "payex_billing_invoice_openapi/exact_models.py",
        "payex_billing_invoice_openapi/_exact_base.py",
        "payex_billing_invoice_openapi/api/invoices/get_invoice.py",
    } <= names
