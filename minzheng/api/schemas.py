from __future__ import annotations

from ninja import Field, Schema


class Me(Schema):
    username: str
    role: str
    role_label: str
    jurisdiction: str


class PersonItem(Schema):
    """A person in a list: identity number and phone masked."""

    id: int
    name: str
    sex: str
    age: int
    id_number: str
    phone: str
    household_id: int
    household_no: str
    relation: str
    tags: str


class PersonDetail(PersonItem):
    birth_date: str | None = None  # withheld: with the masked number it would give most of the hidden digits
    address: str
    division_code: str


class Member(Schema):
    id: int
    name: str
    relation: str
    sex: str
    age: int
    id_number: str
    tags: str


class HouseholdDetail(Schema):
    id: int
    household_no: str
    division_code: str
    address: str
    members: list[Member]


class UnmaskIn(Schema):
    # Required, as the service requires it (at least 2 characters besides spaces): the description says so.
    reason: str = Field(..., min_length=2, description="查看事由（必填，至少 2 个字）")


class Unmasked(Schema):
    id_number: str
    phone: str
    birth_date: str


class Error(Schema):
    detail: str
