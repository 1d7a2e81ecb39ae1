"""The API's routes: its path templates, building a path from ids, and parsing a hypermedia link.

The clients do this themselves; these are for code that stores, compares or builds links outside a client.
"""

from payex_billing_invoice._routes import ROUTE_TEMPLATES, ParsedLink, build_path, parse_link

__all__ = ["ROUTE_TEMPLATES", "ParsedLink", "build_path", "parse_link"]
