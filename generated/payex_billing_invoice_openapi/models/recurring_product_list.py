from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.navigation import Navigation
    from ..models.recurring_product import RecurringProduct


T = TypeVar("T", bound="RecurringProductList")


@_attrs_define
class RecurringProductList:
    """Recurring products, on customer or on subscription level. No body is documented."""

    items: list[RecurringProduct] | Unset = UNSET
    navigation: Navigation | Unset = UNSET
    """ Navigation of a list; only its self link is documented. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        items: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.items, Unset):
            items = []
            for items_item_data in self.items:
                items_item = items_item_data.to_dict()
                items.append(items_item)

        navigation: dict[str, Any] | Unset = UNSET
        if not isinstance(self.navigation, Unset):
            navigation = self.navigation.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if items is not UNSET:
            field_dict["items"] = items
        if navigation is not UNSET:
            field_dict["navigation"] = navigation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.navigation import Navigation  # noqa: PLC0415
        from ..models.recurring_product import RecurringProduct  # noqa: PLC0415

        d = dict(src_dict)
        _items = d.pop("items", UNSET)
        items: list[RecurringProduct] | Unset = UNSET
        if _items is not UNSET:
            items = []
            for items_item_data in _items:
                items_item = RecurringProduct.from_dict(items_item_data)

                items.append(items_item)

        _navigation = d.pop("navigation", UNSET)
        navigation: Navigation | Unset
        if isinstance(_navigation, Unset):
            navigation = UNSET
        else:
            navigation = Navigation.from_dict(_navigation)

        recurring_product_list = cls(
            items=items,
            navigation=navigation,
        )

        recurring_product_list.additional_properties = d
        return recurring_product_list

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
