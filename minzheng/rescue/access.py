"""Who may see what in 救助管理: the station (county) works stays; town and village contacts work the
ledgers of their grid. Outside the role or the jurisdiction the answer is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.rescue.models import LedgerEntry, Stay

STATION = {Role.RESCUE_STAFF}
CONTACTS = {Role.TOWN_OFFICER, Role.VILLAGE_WORKER}
LEDGER = STATION | CONTACTS


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_work_stays(user: Any) -> bool:
    return _active(user) and user.role in STATION


def can_read_ledgers(user: Any) -> bool:
    return _active(user) and user.role in LEDGER


def stays_visible_to(user: Any) -> QuerySet[Stay]:
    if not can_work_stays(user):
        return Stay.objects.none()
    return Stay.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_stay(user: Any, pk: int) -> Stay:
    stay = stays_visible_to(user).select_related("person").filter(pk=pk).first()
    if stay is None:
        raise Http404("救助记录不存在")
    return stay


def entries_visible_to(user: Any) -> QuerySet[LedgerEntry]:
    if not can_read_ledgers(user):
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_entry(user: Any, pk: int) -> LedgerEntry:
    entry = entries_visible_to(user).filter(pk=pk).first()
    if entry is None:
        raise Http404("台账记录不存在")
    return entry


def nav_entries(user: Any) -> list[tuple[str, str]]:
    from django.urls import reverse

    entries: list[tuple[str, str]] = []
    if can_work_stays(user):
        entries.append(("站内救助", reverse("rescue:stays")))
    if can_read_ledgers(user):
        entries += [("救助台账", reverse("rescue:ledger")), ("回访到期", reverse("rescue:due"))]
    return entries
