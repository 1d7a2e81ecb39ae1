from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RecurringProduct")


@_attrs_define
class RecurringProduct:
    """One invoiced recurring fee or credit. No body is documented: every property is inferred from the conventions of the
    sibling PayEx APIs and optional; unknown properties are kept.

    """

    id: str | Unset = UNSET
    """ Uri identifier of the current resource. """
    product_no: str | Unset = UNSET
    """ Product number """
    description: str | Unset = UNSET
    """ Product description """
    amount: float | Unset = UNSET
    """ Invoiced amount (money; read it as an exact decimal). """
    currency: str | Unset = UNSET
    """ ISO 4217 currency code. """
    period_from: datetime.date | Unset = UNSET
    period_to: datetime.date | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        product_no = self.product_no

        description = self.description

        amount = self.amount

        currency = self.currency

        period_from: str | Unset = UNSET
        if not isinstance(self.period_from, Unset):
            period_from = self.period_from.isoformat()

        period_to: str | Unset = UNSET
        if not isinstance(self.period_to, Unset):
            period_to = self.period_to.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["@id"] = id
        if product_no is not UNSET:
            field_dict["productNo"] = product_no
        if description is not UNSET:
            field_dict["description"] = description
        if amount is not UNSET:
            field_dict["amount"] = amount
        if currency is not UNSET:
            field_dict["currency"] = currency
        if period_from is not UNSET:
            field_dict["periodFrom"] = period_from
        if period_to is not UNSET:
            field_dict["periodTo"] = period_to

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("@id", UNSET)

        product_no = d.pop("productNo", UNSET)

        description = d.pop("description", UNSET)

        amount = d.pop("amount", UNSET)

        currency = d.pop("currency", UNSET)

        _period_from = d.pop("periodFrom", UNSET)
        period_from: datetime.date | Unset
        if isinstance(_period_from, Unset):
            period_from = UNSET
        else:
            period_from = datetime.date.fromisoformat(_period_from)

        _period_to = d.pop("periodTo", UNSET)
        period_to: datetime.date | Unset
        if isinstance(_period_to, Unset):
            period_to = UNSET
        else:
            period_to = datetime.date.fromisoformat(_period_to)

        recurring_product = cls(
            id=id,
            product_no=product_no,
            description=description,
            amount=amount,
            currency=currency,
            period_from=period_from,
            period_to=period_to,
        )

        recurring_product.additional_properties = d
        return recurring_product

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
