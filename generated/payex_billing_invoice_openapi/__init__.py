"""A client library for accessing PayEx Billing Invoice API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
