from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Subscription")


@_attrs_define
class Subscription:
    """An invoiced subscription. No body is documented: every property is inferred and optional; unknown properties are
    kept.

    """

    id: str | Unset = UNSET
    """ Uri identifier of the current resource. """
    subscription_no: str | Unset = UNSET
    """ Subscription number """
    recurring_products: str | Unset = UNSET
    """ Link to the recurring products. Typed `dynamic` in the documented table; every documented value is a
    relative link string. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        subscription_no = self.subscription_no

        recurring_products = self.recurring_products

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["@id"] = id
        if subscription_no is not UNSET:
            field_dict["subscriptionNo"] = subscription_no
        if recurring_products is not UNSET:
            field_dict["recurringProducts"] = recurring_products

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("@id", UNSET)

        subscription_no = d.pop("subscriptionNo", UNSET)

        recurring_products = d.pop("recurringProducts", UNSET)

        subscription = cls(
            id=id,
            subscription_no=subscription_no,
            recurring_products=recurring_products,
        )

        subscription.additional_properties = d
        return subscription

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
