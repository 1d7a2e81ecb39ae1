"""Python client for the PayEx Billing Invoice API.

`BillingInvoiceClient` (and `AsyncBillingInvoiceClient`) call every operation of the API, follow its
hypermedia links and assemble an invoice's line-level charges; errors arrive as the typed exceptions below.
"""

from payex_billing_invoice._base_client import (
    ENV_BASE_URL,
    ENV_CA_BUNDLE,
    ENV_CLIENT_CERT,
    ENV_CLIENT_KEY,
    ENV_OWNER_NO,
    ENV_TOKEN,
    PRODUCTION_URL,
    SANDBOX_URL,
)
from payex_billing_invoice._client import (
    AsyncBillingInvoiceClient,
    AsyncExactModels,
    BillingInvoiceClient,
    ExactModels,
)
from payex_billing_invoice._exceptions import (
    PROBLEM_TYPES,
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
from payex_billing_invoice._routes import ROUTE_TEMPLATES, ParsedLink, build_path, parse_link

__all__ = [
    "ENV_BASE_URL",
    "ENV_CA_BUNDLE",
    "ENV_CLIENT_CERT",
    "ENV_CLIENT_KEY",
    "ENV_OWNER_NO",
    "ENV_TOKEN",
    "MISSING",
    "PROBLEM_TYPES",
    "PRODUCTION_URL",
    "ROUTE_TEMPLATES",
    "SANDBOX_URL",
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
    "ParsedLink",
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
    "build_path",
    "listed",
    "parse_link",
    "present",
]
