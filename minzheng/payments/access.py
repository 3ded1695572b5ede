"""Who may see and work entitlements, payrolls and overpayments: within their jurisdiction, else 404.

Read: the social-assistance roles and the auditor. Write (accounts, suspend / restore / end, amounts,
repayments): the town and the county. A payroll is computed by the town or the county and approved
by the county; the kernel refuses an approval by the person who computed it (four eyes).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.payments.models import Entitlement, Overpayment, PayrollRun

READ = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.AUDITOR}
WRITE = {Role.TOWN_OFFICER, Role.COUNTY_APPROVER}
COMPUTE = {Role.TOWN_OFFICER, Role.COUNTY_APPROVER}
APPROVE = {Role.COUNTY_APPROVER}


def can_read(user: Any) -> bool:
    return _has(user, READ)


def can_write(user: Any) -> bool:
    return _has(user, WRITE)


def can_compute(user: Any) -> bool:
    return _has(user, COMPUTE)


def can_approve(user: Any) -> bool:
    return _has(user, APPROVE)


def entitlements_visible_to(user: Any) -> QuerySet[Entitlement]:
    if not can_read(user):
        return Entitlement.objects.none()
    return Entitlement.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_entitlement(user: Any, pk: int, *, write: bool = False) -> Entitlement:
    if write and not can_write(user):
        raise Http404("待遇不存在")
    ent = (
        entitlements_visible_to(user)
        .select_related("person", "household", "payee", "case", "household__division")
        .filter(pk=pk)
        .first()
    )
    if ent is None:
        raise Http404("待遇不存在")
    return ent


def _covering(field: str, jurisdiction: str) -> Q:
    """Runs whose region lies inside the jurisdiction, or covers it (a county run seen by a town)."""
    inside = prefix_q(field, jurisdiction)
    covers = Q(**{f"{field}__in": [jurisdiction[:n] for n in range(1, len(jurisdiction) + 1)]})
    return inside | covers


def runs_visible_to(user: Any) -> QuerySet[PayrollRun]:
    if not can_read(user):
        return PayrollRun.objects.none()
    return PayrollRun.objects.filter(_covering("region", user.jurisdiction))


def access_run(user: Any, pk: int) -> PayrollRun:
    run = runs_visible_to(user).filter(pk=pk).first()
    if run is None:
        raise Http404("发放批次不存在")
    return run


def owns_run(user: Any, run: PayrollRun) -> bool:
    """Acting on a run (approve, issue, reconcile) needs the whole region inside the jurisdiction."""
    return run.region.startswith(user.jurisdiction)


def overpayments_visible_to(user: Any) -> QuerySet[Overpayment]:
    if not can_read(user):
        return Overpayment.objects.none()
    return Overpayment.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_overpayment(user: Any, pk: int, *, write: bool = False) -> Overpayment:
    if write and not can_write(user):
        raise Http404("追回记录不存在")
    op = overpayments_visible_to(user).select_related("entitlement", "entitlement__payee").filter(pk=pk).first()
    if op is None:
        raise Http404("追回记录不存在")
    return op


def nav_entries(user: Any) -> list[tuple[str, str]]:
    if not can_read(user):
        return []
    from django.urls import reverse

    return [
        ("待遇名册", reverse("payments:entitlements")),
        ("发放批次", reverse("payments:runs")),
        ("追回台账", reverse("payments:overpayments")),
    ]
