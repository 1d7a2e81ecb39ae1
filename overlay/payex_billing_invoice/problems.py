"""The API's problem+json bodies: the parsed problem, and the documented problem types' exception classes."""

from payex_billing_invoice._exceptions import PROBLEM_TYPES
from payex_billing_invoice._problems import ProblemDetails

__all__ = ["PROBLEM_TYPES", "ProblemDetails"]
