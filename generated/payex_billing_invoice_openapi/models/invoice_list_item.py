from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="InvoiceListItem")


@_attrs_define
class InvoiceListItem:
    """One invoice in the list, with links to its sub-resources."""

    id: str | Unset = UNSET
    """ Uri identifier of the current resource. """
    invoice_no: str | Unset = UNSET
    """ Invoice number """
    invoice_date: datetime.date | Unset = UNSET
    """ Invoice date """
    recurring_products: str | Unset = UNSET
    """ Link to the recurring products. Typed `dynamic` in the documented table; every documented value is a
    relative link string. """
    subscriptions: str | Unset = UNSET
    """ Link to the invoiced subscriptions. Typed `dynamic` in the documented table; every documented value is a
    relative link string. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        invoice_no = self.invoice_no

        invoice_date: str | Unset = UNSET
        if not isinstance(self.invoice_date, Unset):
            invoice_date = self.invoice_date.isoformat()

        recurring_products = self.recurring_products

        subscriptions = self.subscriptions

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["@id"] = id
        if invoice_no is not UNSET:
            field_dict["invoiceNo"] = invoice_no
        if invoice_date is not UNSET:
            field_dict["invoiceDate"] = invoice_date
        if recurring_products is not UNSET:
            field_dict["recurringProducts"] = recurring_products
        if subscriptions is not UNSET:
            field_dict["subscriptions"] = subscriptions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("@id", UNSET)

        invoice_no = d.pop("invoiceNo", UNSET)

        _invoice_date = d.pop("invoiceDate", UNSET)
        invoice_date: datetime.date | Unset
        if isinstance(_invoice_date, Unset):
            invoice_date = UNSET
        else:
            invoice_date = datetime.date.fromisoformat(_invoice_date)

        recurring_products = d.pop("recurringProducts", UNSET)

        subscriptions = d.pop("subscriptions", UNSET)

        invoice_list_item = cls(
            id=id,
            invoice_no=invoice_no,
            invoice_date=invoice_date,
            recurring_products=recurring_products,
            subscriptions=subscriptions,
        )

        invoice_list_item.additional_properties = d
        return invoice_list_item

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
