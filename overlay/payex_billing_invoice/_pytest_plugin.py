"""The pytest plugin of `payex-billing-invoice` (entry point `pytest11`): the fixture `payex_fake`.

pytest loads it; the client itself never imports pytest.
"""

from __future__ import annotations

import pytest

from payex_billing_invoice._fake import FakePayEx

__all__ = ["payex_fake"]


@pytest.fixture
def payex_fake() -> FakePayEx:
    """A fresh `FakePayEx` serving the spec's examples: `payex_fake.client()` is a client wired to it."""
    return FakePayEx()
