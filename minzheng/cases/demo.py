"""社会救助案件: what the demo county gets (called by minzheng.demo.build after residents, feeds and rules).

Cases in every stage for the demo 乡镇 account's town, made through the real services by the demo
accounts (`zhen` at the window and for the town's review, `cun` for the 入户调查 in its village,
`xian` for 审核确认), with step dates in the past (`data.on`) so deadlines and the 公示 window are
what they would be: accepted, investigated, reviewed, one 公示 open now, one 公示 ended awaiting
the county, confirmed, rejected with its 不予批准告知书, withdrawn, one overdue, one 临时救助 急难型
relieved, plus a 不予受理告知书 from the window. Idempotent: each planned case has its own
household (the town's households in a fixed order) and is skipped when that household already
has a case of that type, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.cases import services
from minzheng.cases.decision import screen
from minzheng.cases.models import Case, Letter
from minzheng.registry.models import Household, Relation

FINDINGS = "入户查看住房和家庭生活状况，家庭成员无稳定收入，无机动车辆，与申报情况一致。"


@dataclass(frozen=True)
class Planned:
    """One demo case: received so many days ago, then each step (target, days ago) in order."""

    key: str  # what the demo shows (named in the note and the tests)
    case_type: str
    received_ago: int
    steps: tuple[tuple[str, int], ...] = ()


# Days chosen so that exactly one case is overdue: a stage's deadline (受理 10, 调查 5, 审核 3
# working days, 公示 7 days) is still ahead for every other open case.
PLAN = (
    Planned("accepted", "dibao", 2),
    Planned("overdue", "dibao", 24),
    Planned("investigated", "dibao", 3, (("investigated", 2),)),
    Planned("reviewed", "dibao", 4, (("investigated", 3), ("reviewed", 2))),
    Planned("publicity_open", "dibao", 8, (("investigated", 6), ("reviewed", 4), ("publicised", 2))),
    # 公示 from 7 days ago ended yesterday: the county approver can confirm today.
    Planned("publicity_ended", "dibao", 13, (("investigated", 11), ("reviewed", 9), ("publicised", 7))),
    Planned("confirmed", "dibao", 26, (("investigated", 24), ("reviewed", 22), ("publicised", 20), ("confirmed", 12))),
    Planned("rejected", "dibao", 26, (("investigated", 23), ("reviewed", 21), ("publicised", 19), ("rejected", 11))),
    Planned("withdrawn", "dibao", 8, (("withdrawn", 6),)),
    Planned("tekun", "tekun", 3),
    Planned("dibao_edge", "dibao_edge", 4, (("investigated", 2),)),
    Planned("relieved", "linshi", 1, (("relieved", 0),)),
)
REASONS = {
    "reviewed": "经入户调查和信息核对，家庭经济状况符合条件，拟同意，报县级审核确认",
    "withdrawn": "申请人子女已就业，家庭收入增加，本人书面申请撤回",
    "relieved": "突发火灾致住房损毁，生活陷入困境，先行发放临时救助金，事后补齐调查手续",
}


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def demo_households(town: str, village: str, n: int) -> list[Household]:
    """`n` of the town's households with a head, in a fixed order: the demo 村 worker's village first
    (it can survey only there), then the rest of the town."""
    heads = Household.objects.filter(members__relation=Relation.HEAD).distinct().order_by("household_no")
    first = list(heads.filter(division__code__startswith=village)[:n])
    rest = heads.filter(division__code__startswith=town).exclude(division__code__startswith=village)
    return first + list(rest[: n - len(first)])


def _survey(case: Case, actor: Any, on: dt.date, users: dict[str, Any], as_of: dt.date) -> None:
    from minzheng.verification.services import household_verify

    # The 一键核对 report first (on the demo feeds' data date), so 收入、财产情况证明 is ticked by data.
    ref = case.authorisation_no
    household_verify(actor=users["zhen"], household=case.household, as_of=as_of, authorisation_ref=ref)
    visitors = [getattr(actor, "display_name", "") or actor.username, users["zhen"].display_name or "李受理"]
    if visitors[0] == visitors[1]:
        visitors[1] = "张社工"
    survey = {"visited_on": on.isoformat(), "visitors": visitors, "findings": FINDINGS}
    services.case_transition(case, "investigated", actor=actor, data={"survey": survey, "on": on.isoformat()})


def _decide(case: Case, to: str, actor: Any, on: dt.date) -> None:
    """审核确认 or 不予批准; a written reason only where the decision goes against the engine."""
    engine = screen(case, on).get("eligible")
    data: dict[str, Any] = {"on": on.isoformat()}
    if to == "confirmed":
        reason = "经审核，家庭人均收入低于当地低保标准，财产状况符合规定，同意纳入低保"
        if engine is not True:
            data["override_reason"] = "入户调查核实家庭无稳定收入来源，部门数据尚不完整，按调查结果认定"
            data["amount_fen"] = 50_000
    else:
        reason = "家庭人均收入高于当地低保标准（入户调查发现有稳定经营收入）"
        if engine is not False:
            data["override_reason"] = "入户调查发现家庭经营小店，有稳定经营收入，部门数据未反映"
    services.case_transition(case, to, actor=actor, reason=reason, data=data)


def _objection(case: Case, users: dict[str, Any], on: dt.date) -> None:
    """An objection raised during the 公示, checked and answered by the town."""
    objection = services.objection_record(
        case.publicity,
        actor=users["cun"],
        content="村民反映该户有一辆面包车",
        received_on=on,
        contact="村民（电话已记录）",
    )
    answer = "经核实，该车辆已于 2024 年报废注销，有车管所注销证明，异议不成立"
    services.objection_answer(objection, actor=users["zhen"], answer=answer)


def _walk(case: Case, p: Planned, users: dict[str, Any], village: str, as_of: dt.date) -> None:
    surveyor = users["cun"] if case.household.division_id.startswith(village) else users["zhen"]
    for target, ago in p.steps:
        on = _ago(ago)
        if target == "investigated":
            _survey(case, surveyor, on, users, as_of)
        elif target in ("confirmed", "rejected"):
            _decide(case, target, users["xian"], on)
        else:
            data = {"on": on.isoformat()}
            services.case_transition(case, target, actor=users["zhen"], reason=REASONS.get(target, ""), data=data)
        if target == "publicised" and p.key in ("publicity_ended", "confirmed"):
            _objection(case, users, _ago(ago - 2))


def _open(p: Planned, household: Household, actor: Any) -> Case:
    head = household.members.filter(relation=Relation.HEAD).first()
    opening = services.Opening(
        case_type=p.case_type,
        household=household,
        applicant=head,
        received_on=_ago(p.received_ago),
        authorisation_no=f"SQ-{household.household_no}",
        urgent=p.key == "relieved",
    )
    return services.case_open(opening, actor=actor)


def _window_refusal(household: Household, actor: Any) -> None:
    if Letter.objects.filter(kind=Letter.Kind.REFUSED, body__household_no=household.household_no).exists():
        return
    head = household.members.filter(relation=Relation.HEAD).first()
    services.window_refuse(
        actor=actor,
        household=household,
        case_type_id="tekun",
        addressee=head.name if head else household.household_no,
        reasons="申请人具有劳动能力且有法定赡养人，不属于特困人员救助供养范围（可改为申请低保）",
    )


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    step("社会救助：各环节的演示案件")
    wanted = ("zhen", "cun", "xian")
    users = {u.username: u for u in User.objects.filter(username__in=wanted)}
    if set(users) != set(wanted):
        return
    town, village = users["zhen"].jurisdiction, users["cun"].jurisdiction
    as_of = getattr(built, "as_of", None) or timezone.localdate()
    households = demo_households(town, village, len(PLAN) + 1)
    for p, household in zip(PLAN, households, strict=False):
        if Case.objects.filter(household=household, case_type=p.case_type).exists():
            continue
        case = _open(p, household, users["zhen"])
        _walk(case, p, users, village, as_of)
    if len(households) > len(PLAN):
        _window_refusal(households[len(PLAN)], users["zhen"])
