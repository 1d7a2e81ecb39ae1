"""The environment variables the clients read settings from, and the API's base URLs.

A setting passed to a client's constructor wins; one not passed falls back to its variable.
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

__all__ = ["ENV_BASE_URL", "ENV_CA_BUNDLE", "ENV_CLIENT_CERT", "ENV_CLIENT_KEY", "ENV_OWNER_NO", "ENV_TOKEN"]
__all__ += ["PRODUCTION_URL", "SANDBOX_URL"]
