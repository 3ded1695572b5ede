"""Guards of the child case types (cases/types/child_*.yaml), named in their machines.

They read the child file (children app) rather than form data, so the facts that justify a step are
recorded where they are kept for ever: the guardian, the school, the parents' situations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.cases.guards import MIN_REVIEWERS
from minzheng.cases.models import Case
from minzheng.payments.sources import age_on
from minzheng.workflow.services import guard

ADULT_AGE = 18
SCHOOL_AGE_LIMIT = 22  # 全日制在校的，保障延至 22 周岁（issue 12；国办发〔2010〕54号 在校就读可延长）
CHILD_PROGRAMMES = ("orphan", "unsupported_child", "guardian_missing_child")


def child_file(case: Case) -> Any:
    from minzheng.children.models import ChildFile

    return ChildFile.objects.filter(person_id=case.applicant_id).first()


def guardian_payee(case: Case, on: dt.date) -> Any:
    """The guardian paid: the child file's current primary guardian registered as a resident, else
    the adult the registry shows in the child's household (payments.sources.guardian_of)."""
    from minzheng.payments.sources import guardian_of

    cf = child_file(case)
    if cf is not None:
        rows = cf.guardians.filter(person__isnull=False, since__lte=on).exclude(until__lt=on)
        row = rows.order_by("-is_primary", "-since", "-pk").select_related("person").first()
        if row is not None and row.person_id != case.applicant_id and age_on(row.person, on) >= ADULT_AGE:
            return row.person
    return guardian_of(case.applicant, on) if case.applicant else None


@guard("child_guardian")
def _child_guardian(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    if guardian_payee(case, timezone.localdate()) is None:
        return "儿童保障资金发放至监护人账户：请先在儿童档案登记成年监护人（户籍人员）"
    return None


@guard("village_review")
def _village_review(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    """村级评议 (seed 004 罗庄): its date, how many took part and the result are recorded with the step."""
    review = data.get("democratic_review") or {}
    if not review.get("held_on") or not str(review.get("result") or "").strip():
        return "请填写村级评议的日期、参加人数和评议结果"
    if int(review.get("participants") or 0) < MIN_REVIEWERS:
        return f"村级评议参加人数不少于 {MIN_REVIEWERS} 人"
    return None


def _in_school_until(cf: Any, on: dt.date) -> bool:
    return bool(cf is not None and cf.in_school and (cf.full_time_until is None or cf.full_time_until >= on))


def _parent_back(cf: Any, on: dt.date) -> str | None:
    """A recorded return: a parent's situation ended (刑满释放、找到) or a parent present again."""
    from minzheng.children.models import Situation

    if cf is None:
        return None
    rows = cf.situations.filter(since__lte=on)
    back = rows.filter(situation=Situation.PRESENT).exclude(until__lt=on).order_by("-since").first()
    if back is not None:
        return f"{back.get_parent_display()}自 {back.since} 起在家履行抚养义务"
    ended = rows.filter(until__isnull=False, until__lte=on).exclude(situation=Situation.AWAY_WORKING)
    ended = ended.exclude(situation=Situation.DEAD).order_by("-until").first()
    if ended is not None:
        return f"{ended.get_parent_display()}{ended.get_situation_display()}情形于 {ended.until} 终止"
    return None


def stop_grounds(case: Case, on: dt.date) -> tuple[str | None, str]:
    """(ground, text) found in the file: age, or a parent's return; (None, why not) when none."""
    child = case.applicant
    if child is None:
        return None, "案件没有儿童"
    cf = child_file(case)
    age = age_on(child, on)
    if age >= SCHOOL_AGE_LIMIT:
        return "age", f"已满 {SCHOOL_AGE_LIMIT} 周岁"
    if age >= ADULT_AGE and not _in_school_until(cf, on):
        return "age", f"已满 {ADULT_AGE} 周岁且未登记全日制在校"
    back = _parent_back(cf, on)
    if back:
        return "parent_back", back
    if age >= ADULT_AGE:
        return None, f"已满 {ADULT_AGE} 周岁但全日制在校，可保障至 {SCHOOL_AGE_LIMIT} 周岁"
    return None, f"未满 {ADULT_AGE} 周岁，儿童档案中也没有父母重新出现或刑满释放的记录"


@guard("child_stop_grounds")
def _child_stop_grounds(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    ground, text = stop_grounds(case, timezone.localdate())
    if ground is None:
        return f"不能停发：{text}。请先在儿童档案登记停发依据"
    data["stop_ground"] = {"ground": ground, "text": text}
    return None


@guard("child_transfer_source")
def _child_transfer_source(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    from minzheng.payments.models import Entitlement, Status

    live = Entitlement.objects.filter(person_id=case.applicant_id, programme__in=CHILD_PROGRAMMES)
    live = live.exclude(status=Status.ENDED).exclude(division_code__startswith=case.division_code[:6])
    if not live.exists():
        return "该儿童在其他县（市、区）没有在享的儿童保障待遇，无需转移；新申请请按孤儿、事实无人抚养等办理"
    return _child_guardian(case, actor, data)
