"""The attrs models the clients' methods return: the generated client's models, re-exported by their names.

`BillingInvoiceClient.get_invoice` returns a `payex_billing_invoice.models.Invoice`, and so on. Absent members
are `UNSET` (from `payex_billing_invoice_openapi.types`); amounts are `float`. The names are the schemas' titles
in `spec/openapi.yaml`, so this module follows the spec without being edited.
"""

from payex_billing_invoice_openapi.models import *  # noqa: F403 - every generated model, by the generator's __all__
from payex_billing_invoice_openapi.models import __all__ as _generated

__all__ = list(_generated)
