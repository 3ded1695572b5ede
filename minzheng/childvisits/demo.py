"""儿童走访 and child cases in the demo county (minzheng.demo.build, after the children step).

Through the real services, by the demo accounts (demo/accounts.py: 儿童主任 `ertong` in the demo
village, 儿童督导员 `dudao` in the demo town, `zhen`, `xian`): the daily job builds the plans from the
children's categories; the 儿童主任 records visits for the first children of the village plan (one
需关注; where the village has nobody to visit, the 儿童督导员 visits in the town), the others due within
the first-visit limit. One 事实无人抚养 (else 孤儿) application is accepted by `zhen` 25 days ago,
reviewed 15 days ago and approved by `xian` 5 days ago, paying the guardian from the month after, with
the guardian's bank account. Where the demo town has no such child, the town records what a visit
found for a 留守 child on documents (father 服刑, mother 失联 8 months, through children.services) and
the rules engine decides before the case. Idempotent: a second run adds no visit and no case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.accounts.models import Role, User
from minzheng.cases import services as cases
from minzheng.cases.models import Case
from minzheng.childvisits import plans, services
from minzheng.childvisits.entitlements import child_entitlement_from_case
from minzheng.childvisits.guards import guardian_payee
from minzheng.childvisits.models import ChildVisit, VisitPlan

FINDINGS = (
    ("stable", "儿童在家，祖母照料，按时上学，居住安全，生活物资充足。"),
    ("concern", "祖母腿脚不便，儿童放学后独自在家时间较长，已联系村妇联执委定期看护。"),
    ("stable", "儿童身体健康，学习正常，监护人履职到位。"),
)
CASE_TYPES = (("unsupported_child", "child_unsupported"), ("orphan", "child_orphan"))


def demo_visits(director: User, today: dt.date) -> int:
    """The 儿童主任's visits in the village; where the village has nobody to visit, the 儿童督导员's in the town."""
    if not VisitPlan.objects.filter(active=True, division_code__startswith=director.jurisdiction).exists():
        director = (
            User.objects.filter(role=Role.CHILD_SUPERVISOR, jurisdiction=director.jurisdiction[:9]).first() or director
        )
    if ChildVisit.objects.filter(division_code__startswith=director.jurisdiction).exists():
        return 0
    rows = VisitPlan.objects.filter(active=True, division_code__startswith=director.jurisdiction)
    done = 0
    for plan, (observed, text) in zip(rows.select_related("child__person").order_by("pk")[:3], FINDINGS, strict=False):
        at = timezone.now() - dt.timedelta(days=4 + 3 * done)
        services.visit_record(
            actor=director, child=plan.child, observed=observed, findings=text, latitude=29.7752, longitude=121.7351,
            client_at=at,
        )  # fmt: skip
        done += 1
    return done


def _candidate(town: str) -> tuple[str, Any] | None:
    from minzheng.children.models import ChildCategory

    rows = ChildCategory.objects.filter(division_code__startswith=town).select_related("child__person").order_by("pk")
    for category, ctype in CASE_TYPES:
        for row in rows:
            if category in (row.categories or []):
                return ctype, row.child.person
    return None


def _found_at_visit(zhen: User, today: dt.date) -> None:
    """No 孤儿 / 事实无人抚养 child in the demo town yet: the town records, on documents, what a visit
    found for a 留守 child (father 服刑 by judgment 6 months ago, mother 失联 for 8 months), and the rules decide."""
    from minzheng.children.models import ChildCategory
    from minzheng.children.services import situation_record

    row = ChildCategory.objects.filter(division_code__startswith=zhen.jurisdiction).order_by("pk")
    row = next((r for r in row if "left_behind_child" in (r.categories or [])), None)
    if row is None:
        return
    facts = (
        ("father", "imprisoned", add_months_days(today, 6), "人民法院刑事判决书（演示）"),
        ("mother", "lost_contact", add_months_days(today, 8), "派出所出具的失联报案回执（演示）"),
    )
    for parent, situation, since, evidence in facts:
        situation_record(
            row.child, parent=parent, situation=situation, since=since, source="document", evidence=evidence,
            actor=zhen,
        )  # fmt: skip


def add_months_days(today: dt.date, months: int) -> dt.date:
    return plans.months_after(today, -months)


def demo_case(zhen: User, xian: User, today: dt.date) -> Case | None:
    if Case.objects.filter(case_type__in=[t for _, t in CASE_TYPES]).exists():
        return None
    found = _candidate(zhen.jurisdiction)
    if found is None:
        _found_at_visit(zhen, today)
        found = _candidate(zhen.jurisdiction)
    if found is None:
        return None
    ctype, kid = found
    opening = cases.Opening(ctype, kid.household, today - dt.timedelta(days=25), applicant=kid)
    case = cases.case_open(opening, actor=zhen)
    if guardian_payee(case, today) is None:
        return case  # no adult guardian in the file or household: stays at 乡镇审核 (the page says why)
    reviewed_on = (today - dt.timedelta(days=15)).isoformat()
    cases.case_transition(
        case, "reviewed", actor=zhen, reason="父母情况经部门数据和入户核实，拟同意", data={"on": reviewed_on}
    )
    data = {"on": (today - dt.timedelta(days=5)).isoformat(), "override_reason": "父母情况证明齐全，经县级审批同意"}
    case.refresh_from_db()
    if not case.engine_amount_fen:
        data["amount_fen"] = 120000  # the engine could not price it here: the approver enters the standard
    cases.case_transition(case, "confirmed", actor=xian, reason="同意，按月发放至监护人账户", data=data)
    case.refresh_from_db()
    ent = child_entitlement_from_case(case, actor=xian)
    if ent is not None:
        _guardian_account(ent.payee, xian)
    return case


def _guardian_account(guardian: Any, actor: User) -> None:
    from minzheng.payments.services import account_set

    if guardian.bank_accounts.filter(active=True).exists():
        return
    account_set(
        guardian, bank_code="402", bank_name="鄞州农商银行", account_no=f"6230{guardian.pk:012d}",
        account_name=guardian.name, reason="儿童保障资金发放至监护人账户（演示）", actor=actor,
    )  # fmt: skip


def demo_extend(built: Any, step: Any) -> None:
    """Plans from the demo children's categories, a few visits, one approved child case."""
    step("儿童走访：走访计划、儿童主任走访记录、儿童保障案件")
    zhen = User.objects.filter(username="zhen").first()
    cun = User.objects.filter(username="cun").first()
    xian = User.objects.filter(username="xian").first()
    if zhen is None or cun is None or xian is None:
        return
    today = timezone.localdate()
    director = User.objects.filter(role=Role.CHILD_DIRECTOR, jurisdiction=cun.jurisdiction).first()
    demo_case(zhen, xian, today)
    plans.daily(today)
    if director is not None:
        demo_visits(director, today)
    plans.overdue_items(today)


def demo_counts() -> dict[str, int]:
    return {
        "plans": VisitPlan.objects.filter(active=True).count(),
        "visits": ChildVisit.objects.count(),
        "child_cases": Case.objects.filter(case_type__startswith="child_").count(),
    }
