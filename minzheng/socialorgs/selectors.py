"""Reads other parts code against (contract s13): `org_for_user`, `registered_orgs`; plus this app's lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from minzheng.core.jurisdiction import prefix_q
from minzheng.socialorgs.models import AnnualReport, Organisation, Rating

LIVE = ("registered", "abnormal")  # on the register: may file reports, apply for 创投, be drawn


def org_for_user(user: Any) -> Organisation | None:
    """The organisation an org_account acts for (`User.unit` = its 统一社会信用代码), else None."""
    unit = getattr(user, "unit", "") or ""
    if not unit or getattr(user, "role", None) != "org_account" or not getattr(user, "is_active", False):
        return None
    return Organisation.objects.filter(credit_code=unit).first()


def registered_orgs(prefix: str) -> QuerySet[Organisation]:
    """Organisations on the register (已登记 or 活动异常) whose address is under the division prefix."""
    return Organisation.objects.filter(prefix_q("division_code", prefix), status__in=LIVE).order_by("name")


def public_search(text: str) -> QuerySet[Organisation]:
    """The public lookup: by exact credit code, or a name containing the text; registered or ended (not
    applications in progress or refused, which are not public)."""
    text = (text or "").strip()
    shown = Organisation.objects.filter(status__in=(*LIVE, "deregistered", "revoked")).exclude(credit_code="")
    if not text:
        return shown.none()
    if len(text) == 18 and text.isalnum():
        return shown.filter(credit_code=text.upper())
    return shown.filter(name__contains=text).order_by("name")[:50]


def current_rating(org: Organisation, on: dt.date) -> Rating | None:
    return org.ratings.filter(rated_on__lte=on, expires_on__gte=on, revoked_on__isnull=True).first()


def report_status(orgs: QuerySet[Organisation], year: int, due: dt.date, today: dt.date) -> dict[str, list[Any]]:
    """年报 of `year` by where each organisation stands: accepted, submitted (waiting), late, missing.

    Late: submitted after the due date. Missing: not submitted and the due date has passed; before the
    due date an organisation without a submitted report is `pending`.
    """
    reports = {r.org_id: r for r in AnnualReport.objects.filter(year=year, org__in=orgs)}
    out: dict[str, list[Any]] = {"accepted": [], "submitted": [], "late": [], "missing": [], "pending": []}
    for org in orgs.filter(registered_on__lt=dt.date(year + 1, 1, 1)):
        report = reports.get(org.pk)
        if report is not None and report.submitted_on:
            if report.submitted_on > due:
                out["late"].append((org, report))
            out["accepted" if report.status == "accepted" else "submitted"].append((org, report))
        else:
            out["missing" if today > due else "pending"].append((org, report))
    return out
