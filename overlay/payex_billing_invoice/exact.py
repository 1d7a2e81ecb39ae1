"""The strict models `client.exact` returns: exact `Decimal` money, `date` dates, `MISSING` for absent members.

`client.exact.get_invoice` returns a `payex_billing_invoice.exact.Invoice`, and so on; `present()` and
`listed()` read their optional members. The names are the schemas' titles in `spec/openapi.yaml` (the same names
as in `payex_billing_invoice.models`); every class the strict layer defines is re-exported, whatever kind of
class the strict layer generates.
"""

from payex_billing_invoice_openapi import strict_models as _strict
from payex_billing_invoice_openapi.strict_models import *  # noqa: F403 - every generated strict model

# Every class the strict layer defines, by its name (pydantic also files parametrized generics such as
# `RootModel[...]` in the module, under names that are no identifiers).
__all__ = sorted(  # noqa: PLE0605 - computed, so that it follows the generated module
    name
    for name, value in vars(_strict).items()
    if isinstance(value, type) and value.__module__ == _strict.__name__ and name.isidentifier()
)
