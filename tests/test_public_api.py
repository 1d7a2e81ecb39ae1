"""The public surface: `__version__`, a top-level `__all__` of the API only, the model modules and the plumbing's."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import payex_billing_invoice
from payex_billing_invoice import config, exact, models, problems, routes
from payex_billing_invoice_openapi import exact_models
from payex_billing_invoice_openapi import models as generated_models
from tests._prism import ROOT

PLUMBING = {"config": config, "problems": problems, "routes": routes}


def test_version_is_the_distributions() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert payex_billing_invoice.__version__ == version
    printed = subprocess.run(
        [sys.executable, "-c", "import payex_billing_invoice as p; print(p.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert printed.stdout.strip() == version


def test_top_level_all_leaves_the_plumbing_to_its_modules_and_keeps_it_importable() -> None:
    public = set(payex_billing_invoice.__all__)
    for module in PLUMBING.values():
        for name in module.__all__:
            assert getattr(payex_billing_invoice, name) is getattr(module, name)  # existing imports keep working
    moved = {name for module in PLUMBING.values() for name in module.__all__} - {"ProblemDetails"}
    assert not public & moved
    assert {"BillingInvoiceClient", "AsyncBillingInvoiceClient", "BillingInvoiceError", "RetryPolicy"} <= public
    assert all(hasattr(payex_billing_invoice, name) for name in public)


def test_model_modules_reexport_every_generated_model() -> None:
    assert models.__all__ == sorted(generated_models.__all__)
    assert set(exact.__all__) <= set(models.__all__)  # both families are named after the spec's titles
    assert {"Invoice", "InvoiceList", "RecurringProduct", "RecurringProductList", "Subscription"} <= set(exact.__all__)
    for name in exact.__all__:
        assert getattr(exact, name) is getattr(exact_models, name)
    for name in models.__all__:
        assert getattr(models, name) is getattr(generated_models, name)
