"""Who may see and work 基层治理 records: the village (community) worker for their village, the town officer
for the town and its villages; the county approver and the auditor read. Outside the role or the
jurisdiction the answer is 404. The public board needs no account and shows no personal data."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.registry.models import Household

WORK = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER}
READ = WORK | {Role.COUNTY_APPROVER, Role.AUDITOR}
M = TypeVar("M", bound=Model)


def can_read(user: Any) -> bool:
    return _has(user, READ)


def can_work(user: Any) -> bool:
    return _has(user, WORK)


def visible(user: Any, model: type[M], field: str = "division_code") -> QuerySet[M]:
    """The rows of `model` filed inside the user's jurisdiction (none for a role outside READ)."""
    if not can_read(user):
        return model._default_manager.none()
    return model._default_manager.filter(prefix_q(field, user.jurisdiction))


def access(user: Any, model: type[M], pk: int, *, write: bool = False, field: str = "division_code") -> M:
    if write and not can_work(user):
        raise Http404("记录不存在")
    obj = visible(user, model, field).filter(pk=pk).first()
    if obj is None:
        raise Http404("记录不存在")
    return obj


def household_for(user: Any, pk: int) -> Household:
    """A household of the user's villages, for its 信用+ account."""
    if not can_read(user):
        raise Http404("户不存在")
    household = Household.objects.filter(prefix_q("division_id", user.jurisdiction), pk=pk).first()
    if household is None:
        raise Http404("户不存在")
    return household


def nav_entries(user: Any) -> list[tuple[str, str]]:
    if not can_read(user):
        return []
    from django.urls import reverse

    return [
        ("议事协商", reverse("governance:topics")),
        ("阳光报告会", reverse("governance:questions")),
        ("信用+", reverse("governance:credit")),
        ("人民调解", reverse("governance:mediation")),
        ("社区建设", reverse("governance:community")),
    ]
