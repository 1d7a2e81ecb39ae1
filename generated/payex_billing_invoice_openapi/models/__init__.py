"""Contains all the data models used in inputs/outputs"""

from .invoice import Invoice
from .invoice_list import InvoiceList
from .invoice_list_item import InvoiceListItem
from .navigation import Navigation
from .problem import Problem
from .problem_field_messages import ProblemFieldMessages
from .recurring_product import RecurringProduct
from .recurring_product_list import RecurringProductList
from .subscription import Subscription
from .subscription_list import SubscriptionList

__all__ = (
    "Invoice",
    "InvoiceList",
    "InvoiceListItem",
    "Navigation",
    "Problem",
    "ProblemFieldMessages",
    "RecurringProduct",
    "RecurringProductList",
    "Subscription",
    "SubscriptionList",
)
