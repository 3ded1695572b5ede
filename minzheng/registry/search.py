"""What a registry search may look for, by role; the reads behind the search box and the home tiles.

A masked list next to a search by full number is an oracle: type a guess, and one hit
confirms it. So a full identity number or phone (or any digit string longer than the
last-digits form) is looked up only for roles that may unmask (accounts.access.UNMASK);
other roles search by name, 户编号, or the last 4 digits, which the masked forms show anyway.
Roles that may unmask also search by the last 5–6 digits. Not the others: the 5th and 6th
digits from the end of an identity number are the birth day, which ≤31 searches would
reveal; with the age shown, the month to guess and the check digit to filter, that leaves
a handful of candidates for the whole number. Every search is rate-limited and audited by
`services.person_search_run`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q, QuerySet

from minzheng.accounts.access import can_unmask
from minzheng.accounts.models import User
from minzheng.core import idnumber
from minzheng.core.jurisdiction import text_prefix_q, within
from minzheng.registry.access import persons_visible_to
from minzheng.registry.models import Person, PersonTag, Relation

SEARCH_LIMIT = 50
_PHONE = re.compile(r"^\d{7,12}$|^0\d{2,3}-?\d{7,8}$")
_TAIL = re.compile(r"^\d{3,5}[\dX]$")  # the last 4–6 characters of an identity number or phone
MASKED_TAIL = 4  # what the masked forms show: the most a role that may not unmask can search by
_LONG_DIGITS = re.compile(r"^\d+X?$")  # digits longer than MASKED_TAIL: (part of) a full number
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # PostgreSQL refuses NUL in text; none belongs in a query
REFUSED_FULL = (
    "您的角色不能按完整身份号码或电话查询（可查看完整号码的角色才可以）。"
    "请按姓名、户编号，或号码的后 4 位查询；仍按户编号查找了一次。"
)
REFUSED_INVALID = "查询内容含有无效字符，请只输入姓名、户编号或号码。"


class Kind(StrEnum):
    """How a query was read; recorded in the audit row instead of a full number."""

    NAME = "name"
    HOUSEHOLD_NO = "household_no"
    TAIL = "tail"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    INVALID = "invalid"
    LIST = "list"


FULL_KINDS = {Kind.ID_NUMBER, Kind.PHONE}


def normalise(q: str) -> str:
    return idnumber.clean(q) if any(ch.isdigit() for ch in q) else q.strip()


def query_kind(q: str) -> Kind:
    """The one reading of a normalised query (digit strings longer than 6 count as a full number)."""
    if _CONTROL.search(q):
        return Kind.INVALID
    if len(q) in (15, 18) and idnumber.is_valid(q):
        return Kind.ID_NUMBER
    if _PHONE.match(q):
        return Kind.PHONE
    if _TAIL.match(q):
        return Kind.TAIL
    if q.isascii():
        return Kind.HOUSEHOLD_NO
    return Kind.NAME


def _conditions(kind: Kind, q: str, full_allowed: bool) -> list[Q]:
    """One indexed condition per reading; an OR across tables would scan the table."""
    if kind is Kind.ID_NUMBER:
        return [Q(id_number=idnumber.parse(q).number)] if full_allowed else [Q(household__household_no=q)]
    if kind is Kind.PHONE:
        return [Q(phone=q), Q(household__household_no=q)] if full_allowed else [Q(household__household_no=q)]
    if kind is Kind.TAIL and (full_allowed or len(q) <= MASKED_TAIL):
        return [Q(id_number__endswith=q), Q(phone__endswith=q), Q(household__household_no=q)]
    if kind is Kind.TAIL:
        return [Q(household__household_no=q)]
    if kind is Kind.HOUSEHOLD_NO:
        return [Q(household__household_no=q)]
    if kind is Kind.NAME:
        return [text_prefix_q("name", q)]
    return []


@dataclass
class Found:
    kind: Kind
    persons: list[Person] = field(default_factory=list)
    refused: str = ""  # a Chinese note when the query could not be read as typed
    total: int | None = None  # lists: how many match in all (persons shows one page)


def person_search(*, user: User, q: str, limit: int = SEARCH_LIMIT) -> Found:
    """Search by name (prefix), 户编号, last 4 digits; full numbers and 5–6 digit tails for roles that may unmask."""
    q = normalise(q)
    if not q:
        return Found(Kind.INVALID)
    kind = query_kind(q)
    full_allowed = can_unmask(user)
    base = persons_visible_to(user).select_related("household").order_by("name", "id")
    found: dict[int, Person] = {}
    for condition in _conditions(kind, q, full_allowed):
        found.update((p.pk, p) for p in base.filter(condition)[:limit])
    persons = sorted(found.values(), key=lambda p: (p.name, p.pk))[:limit]
    refused = REFUSED_INVALID if kind is Kind.INVALID else ""
    if not full_allowed and (kind in FULL_KINDS or (len(q) > MASKED_TAIL and _LONG_DIGITS.match(q))):
        refused = REFUSED_FULL
    return Found(kind, persons, refused)


def query_for_audit(kind: Kind, q: str) -> str:
    """What the audit row keeps of the query: never a full number, never a control character."""
    if kind in FULL_KINDS:
        return f"（{len(normalise(q))} 位号码）"
    return _CONTROL.sub("?", q)[:100]


# The home tiles: every person, the 户主 of every 户, or everyone with one tag.
LISTS = {"all": "全部居民", "heads": "各户户主", **{k.value: str(k.label) for k in PersonTag.Kind}}


def list_queryset(user: User, name: str, division: str = "") -> QuerySet[Person]:
    persons = persons_visible_to(user).filter(within("division_code", division))
    if name == "heads":
        persons = persons.filter(relation=Relation.HEAD)
    elif name != "all":
        persons = persons.filter(tags__kind=name)
    return persons.select_related("household").order_by("division_code", "name", "id")


def person_list(*, user: User, name: str, page: int = 1, division: str = "") -> Found:
    """One page of a home tile's list (unknown list names list nobody)."""
    if name not in LISTS:
        return Found(Kind.LIST, refused="没有这个名单")
    persons = list_queryset(user, name, division)
    start = (max(page, 1) - 1) * SEARCH_LIMIT
    return Found(Kind.LIST, list(persons[start : start + SEARCH_LIMIT]), total=persons.count())
