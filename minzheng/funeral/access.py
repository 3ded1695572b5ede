"""Who may see what in 殡葬: the funeral officer (county) keeps every record of their jurisdiction; town
officers and village workers read the burials and the 殡葬协理员 of their grid and keep the grave clean-up
ledger of their town. Outside the role or the jurisdiction the answer is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.funeral.models import Burial, CleanupSite, Cremation

OFFICER = {Role.FUNERAL_OFFICER}
GRID = {Role.TOWN_OFFICER, Role.VILLAGE_WORKER}
CLEANUP = OFFICER | {Role.TOWN_OFFICER}


def can_work(user: Any) -> bool:
    return _has(user, OFFICER)


def can_read(user: Any) -> bool:
    return _has(user, OFFICER | GRID)


def can_cleanup(user: Any) -> bool:
    return _has(user, CLEANUP)


def cremations_visible_to(user: Any) -> QuerySet[Cremation]:
    if not can_work(user):
        return Cremation.objects.none()
    return Cremation.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_cremation(user: Any, pk: int) -> Cremation:
    found = cremations_visible_to(user).select_related("person", "home").filter(pk=pk).first()
    if found is None:
        raise Http404("火化记录不存在")
    return found


def burials_visible_to(user: Any) -> QuerySet[Burial]:
    if not can_read(user):
        return Burial.objects.none()
    return Burial.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_burial(user: Any, pk: int) -> Burial:
    found = burials_visible_to(user).select_related("person", "payee", "cemetery", "plot").filter(pk=pk).first()
    if found is None:
        raise Http404("安葬记录不存在")
    return found


def sites_visible_to(user: Any) -> QuerySet[CleanupSite]:
    if not can_cleanup(user):
        return CleanupSite.objects.none()
    return CleanupSite.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_site(user: Any, pk: int) -> CleanupSite:
    found = sites_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("整治点不存在")
    return found


def nav_entries(user: Any) -> list[tuple[str, str]]:
    """The funeral officer: everything; a town officer: the clean-up ledger and the assistants; a village worker:
    the assistants (the burials of their grid open from the dashboard's figures, not from the menu)."""
    from django.urls import reverse

    entries: list[tuple[str, str]] = []
    if can_work(user):
        entries += [("火化与安葬", reverse("funeral:home")), ("公墓与墓位", reverse("funeral:cemeteries"))]
    if can_cleanup(user):
        entries.append(("坟墓整治台账", reverse("funeral:cleanup")))
    if can_read(user):
        entries.append(("殡葬协理员", reverse("funeral:assistants")))
    return entries
