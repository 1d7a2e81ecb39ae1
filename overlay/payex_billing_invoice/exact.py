"""The exact models `client.exact` returns: exact `Decimal` money, `date` dates, `MISSING` for absent members.

`client.exact.get_invoice` returns a `payex_billing_invoice.exact.Invoice`, and so on: msgspec Structs with typed
attributes, `model_extra` (the members the spec does not declare) and `to_builtins()` (JSON-ready builtins);
`present()` and `listed()` read their optional members. The names are the schemas' titles in `spec/openapi.yaml`
(the same names as in `payex_billing_invoice.models`); every model the exact layer defines is re-exported.
"""

from payex_billing_invoice_openapi import exact_models as _exact
from payex_billing_invoice_openapi._exact_base import ExactStruct as _ExactStruct
from payex_billing_invoice_openapi.exact_models import *  # noqa: F403 - every generated exact model

__all__ = sorted(  # noqa: PLE0605 - computed, so that it follows the generated module
    name
    for name, value in vars(_exact).items()
    if isinstance(value, type) and issubclass(value, _ExactStruct) and value is not _ExactStruct
)
