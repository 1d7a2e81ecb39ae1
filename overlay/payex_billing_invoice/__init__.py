"""Python client for the PayEx Billing Invoice API.

`BillingInvoiceClient` (and `AsyncBillingInvoiceClient`) call every operation of the API, follow its
hypermedia links and assemble an invoice's line-level charges; errors arrive as the typed exceptions below.

The public modules beside this one: `payex_billing_invoice.models` (the attrs models the methods return),
`payex_billing_invoice.exact` (the strict models `client.exact` returns), `payex_billing_invoice.routes` (path
templates, `build_path`, `parse_link`), `payex_billing_invoice.config` (the environment variables and base URLs)
and `payex_billing_invoice.problems` (`PROBLEM_TYPES`). The names they hold stay importable from here too; only
`__all__`, the documented API, leaves them out.
"""

from payex_billing_invoice._client import (
    AsyncBillingInvoiceClient,
    AsyncExactModels,
    BillingInvoiceClient,
    ExactModels,
)
from payex_billing_invoice._exceptions import (
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    BillingInvoiceError,
    ClientConfigurationError,
    ClientStateError,
    ConflictError,
    CustomerNotFound,
    InvalidRouteError,
    InvoiceNotFound,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    SubscriptionNotFound,
    UnprocessableEntityError,
    ValidationProblem,
)
from payex_billing_invoice._headers import ExtraHeaders
from payex_billing_invoice._lines import InvoiceLines, ProgressCallback, SubscriptionLines
from payex_billing_invoice._models import MISSING, listed, present
from payex_billing_invoice._problems import ProblemDetails
from payex_billing_invoice._raw_response import AsyncRawResponses, RawResponse, RawResponses
from payex_billing_invoice._retries import RetryPolicy
from payex_billing_invoice._version import package_version

# Plumbing, documented in its public module: importable from here for existing code, not part of `__all__`.
from payex_billing_invoice.config import *  # noqa: F403 - ENV_*, PRODUCTION_URL, SANDBOX_URL
from payex_billing_invoice.problems import *  # noqa: F403 - PROBLEM_TYPES (and ProblemDetails)
from payex_billing_invoice.routes import *  # noqa: F403 - ROUTE_TEMPLATES, ParsedLink, build_path, parse_link


def __getattr__(name: str) -> str:
    """`__version__`, the installed distribution's version (PEP 440), e.g. `0.1.0`: read on first use, since
    reading distribution metadata costs as much as a third of the package's import."""
    if name == "__version__":
        version = package_version()
        globals()["__version__"] = version
        return version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The documented API: every name here has its page in docs/ (tests/test_docs.py checks it).
__all__ = [
    "MISSING",
    "ApiConnectionError",
    "ApiStatusError",
    "ApiTimeoutError",
    "AsyncBillingInvoiceClient",
    "AsyncExactModels",
    "AsyncRawResponses",
    "AuthenticationError",
    "BadRequestError",
    "BillingInvoiceClient",
    "BillingInvoiceError",
    "ClientConfigurationError",
    "ClientStateError",
    "ConflictError",
    "CustomerNotFound",
    "ExactModels",
    "ExtraHeaders",
    "InvalidRouteError",
    "InvoiceLines",
    "InvoiceNotFound",
    "NotFoundError",
    "PermissionDeniedError",
    "ProblemDetails",
    "ProgressCallback",
    "RateLimitError",
    "RawResponse",
    "RawResponses",
    "ResponseValidationError",
    "RetryPolicy",
    "ServerError",
    "SubscriptionLines",
    "SubscriptionNotFound",
    "UnprocessableEntityError",
    "ValidationProblem",
    "listed",
    "present",
]
