"""Python client for the PayEx Billing Invoice API."""

__all__: list[str] = []
