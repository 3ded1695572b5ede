"""Reads for the rescue pages, always through access.py's scoped querysets; lists come out masked."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from minzheng.core.masking import mask_id_number, mask_name, mask_phone
from minzheng.divisions.models import Division
from minzheng.rescue import access, params
from minzheng.rescue.models import IdentityRequest, LedgerEntry, Stay

DUE_AHEAD_DAYS = 7  # the due list also shows what falls due this week, so a contact can plan the round


def _days(stay: Stay, today: dt.date) -> int:
    return ((stay.ended_on or today) - stay.admitted_on).days + 1


def stay_rows(user: Any, status: str = "admitted") -> list[dict[str, Any]]:
    today = timezone.localdate()
    pending = Count("identity_requests", filter=Q(identity_requests__result=IdentityRequest.Result.PENDING))
    qs = access.stays_visible_to(user).annotate(pending=pending).order_by("-admitted_on", "-pk")
    if status:
        qs = qs.filter(status=status)
    rows = []
    for stay in qs[:200]:
        limit = params.param_days(params.STAY_LIMIT, stay.division_code, stay.admitted_on)
        days = _days(stay, today)
        over = days > limit and stay.status == "admitted"
        rows.append(
            {
                "stay": stay,
                "name": mask_name(stay.name) if stay.name else stay.display_name,
                "days": days,
                "over": over,
                "limit": limit,
            }
        )
    return rows


def _names(codes: set[str]) -> dict[str, str]:
    padded = {c.ljust(12, "0"): c for c in codes}
    return {padded[d.code]: d.name for d in Division.objects.filter(code__in=padded)}


def ledger_counts(user: Any, kind: str) -> list[dict[str, Any]]:
    """Open entries per town, each with its villages: [{town, name, n, villages: [{code, name, n}]}]."""
    open_entries = access.entries_visible_to(user).filter(kind=kind, closed_on__isnull=True)
    by_village = Counter(open_entries.values_list("division_code", flat=True))
    by_town: Counter[str] = Counter()
    for code, n in by_village.items():
        by_town[code[:9]] += n
    names = _names(set(by_village) | set(by_town))
    towns = []
    for town in sorted(by_town):
        villages = [
            {"code": c, "name": names.get(c, c) if c[9:] != "000" else "（乡镇直管）", "n": n}
            for c, n in sorted(by_village.items())
            if c.startswith(town)
        ]
        towns.append({"code": town, "name": names.get(town, town), "n": by_town[town], "villages": villages})
    return towns


def masked(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "entry": entry,
        "name": mask_name(entry.name),
        "id_number": mask_id_number(entry.id_number),
        "phone": mask_phone(entry.phone),
        "risks": entry.risk_labels(),
        "late": entry.closed_on is None and entry.next_due_on < timezone.localdate(),
    }


def ledger_rows(user: Any, kind: str, division: str = "", closed: bool = False) -> list[dict[str, Any]]:
    qs = access.entries_visible_to(user).filter(kind=kind, closed_on__isnull=not closed)
    if division:
        qs = qs.filter(division_code__startswith=division)
    return [masked(e) for e in qs.order_by("division_code", "next_due_on", "pk")[:500]]


def due_rows(user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Open entries due within the week (or overdue), soonest first: the contact's round."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_AHEAD_DAYS)
    qs = access.entries_visible_to(user).filter(closed_on__isnull=True, next_due_on__lte=horizon)
    return [masked(e) for e in qs.order_by("next_due_on", "pk")[:500]]
