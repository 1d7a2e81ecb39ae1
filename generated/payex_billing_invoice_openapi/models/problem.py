from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.problem_field_messages import ProblemFieldMessages


T = TypeVar("T", bound="Problem")


@_attrs_define
class Problem:
    """A problem (application/problem+json). PayEx's documented sample uses PascalCase members (`Type`, `Title`, ...), RFC
    9457 and ASP.NET use camelCase; the casing of this API is unknown, so both are accepted. `type` is a typecode such
    as `billing/invoice/problems/validation`; `instance` is the id to quote in support questions.

    """

    type_: str | Unset = UNSET
    title: str | Unset = UNSET
    status: int | Unset = UNSET
    detail: str | Unset = UNSET
    instance: None | str | Unset = UNSET
    problems: list[ProblemFieldMessages] | Unset = UNSET
    Type: str | Unset = UNSET
    Title: str | Unset = UNSET
    Status: int | Unset = UNSET
    Detail: str | Unset = UNSET
    Instance: None | str | Unset = UNSET
    Problems: list[ProblemFieldMessages] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        status = self.status

        detail = self.detail

        instance: None | str | Unset
        if isinstance(self.instance, Unset):
            instance = UNSET
        else:
            instance = self.instance

        problems: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.problems, Unset):
            problems = []
            for problems_item_data in self.problems:
                problems_item = problems_item_data.to_dict()
                problems.append(problems_item)

        Type = self.Type

        Title = self.Title

        Status = self.Status

        Detail = self.Detail

        Instance: None | str | Unset
        if isinstance(self.Instance, Unset):
            Instance = UNSET
        else:
            Instance = self.Instance

        Problems: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.Problems, Unset):
            Problems = []
            for problems_item_data in self.Problems:
                problems_item = problems_item_data.to_dict()
                Problems.append(problems_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if title is not UNSET:
            field_dict["title"] = title
        if status is not UNSET:
            field_dict["status"] = status
        if detail is not UNSET:
            field_dict["detail"] = detail
        if instance is not UNSET:
            field_dict["instance"] = instance
        if problems is not UNSET:
            field_dict["problems"] = problems
        if Type is not UNSET:
            field_dict["Type"] = Type
        if Title is not UNSET:
            field_dict["Title"] = Title
        if Status is not UNSET:
            field_dict["Status"] = Status
        if Detail is not UNSET:
            field_dict["Detail"] = Detail
        if Instance is not UNSET:
            field_dict["Instance"] = Instance
        if Problems is not UNSET:
            field_dict["Problems"] = Problems

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.problem_field_messages import ProblemFieldMessages  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("type", UNSET)

        title = d.pop("title", UNSET)

        status = d.pop("status", UNSET)

        detail = d.pop("detail", UNSET)

        def _parse_instance(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instance = _parse_instance(d.pop("instance", UNSET))

        _problems = d.pop("problems", UNSET)
        problems: list[ProblemFieldMessages] | Unset = UNSET
        if _problems is not UNSET:
            problems = []
            for problems_item_data in _problems:
                problems_item = ProblemFieldMessages.from_dict(problems_item_data)

                problems.append(problems_item)

        Type = d.pop("Type", UNSET)

        Title = d.pop("Title", UNSET)

        Status = d.pop("Status", UNSET)

        Detail = d.pop("Detail", UNSET)

        def _parse_Instance(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        Instance = _parse_Instance(d.pop("Instance", UNSET))

        _Problems = d.pop("Problems", UNSET)
        Problems: list[ProblemFieldMessages] | Unset = UNSET
        if _Problems is not UNSET:
            Problems = []
            for problems_item_data in _Problems:
                problems_item = ProblemFieldMessages.from_dict(problems_item_data)

                Problems.append(problems_item)

        problem = cls(
            type_=type_,
            title=title,
            status=status,
            detail=detail,
            instance=instance,
            problems=problems,
            Type=Type,
            Title=Title,
            Status=Status,
            Detail=Detail,
            Instance=Instance,
            Problems=Problems,
        )

        problem.additional_properties = d
        return problem

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
