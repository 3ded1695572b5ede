"""人民调解: committees and mediators, cases on machines/mediation.yaml (受理 → 达成协议 → 回访履行结案, or 调解
不成), the parties and the agreement, the follow-ups of its performance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.idnumber import IdNumberError
from minzheng.core.idnumber import parse as parse_id
from minzheng.governance.models import Committee, FollowUp, MediationCase, Mediator, Party
from minzheng.governance.services import GovernanceError, division_checked, next_number, required, user_or_none
from minzheng.workflow import services as workflow


@workflow.guard("governance.agreement")
def _agreement(case: MediationCase, actor: Any, data: dict[str, Any]) -> str | None:
    if not str(data.get("agreement") or "").strip():
        return "请填写调解协议内容（履行方式）"
    if not data.get("perform_by"):
        return "请填写履行期限"
    sides = set(case.parties.values_list("side", flat=True))
    return None if sides >= {"applicant", "respondent"} else "调解协议须有申请人和被申请人双方当事人"


@workflow.guard("governance.fulfilled")
def _fulfilled(case: MediationCase, actor: Any, data: dict[str, Any]) -> str | None:
    return None if case.followups.filter(fulfilled=True).exists() else "尚无“协议已履行”的回访记录，不能结案"


def _audit(actor: Actor, object_type: str, pk: object, summary: str, client_ip: str, action: str = "create") -> None:
    audit_record(
        actor=actor, action=action, object_type=object_type, object_id=str(pk), summary=summary, client_ip=client_ip
    )


def _check_org(code: str, division_code: str) -> None:
    """A 社会组织人民调解委员会 (seed 004 青岛) is set up by an organisation on the county's register (G1)."""
    from minzheng.socialorgs.selectors import registered_orgs

    if not code:
        raise GovernanceError("社会组织人民调解委员会须填写设立组织的统一社会信用代码")
    if not registered_orgs(division_code[:6]).filter(credit_code=code).exists():
        raise GovernanceError(f"统一社会信用代码 {code} 不是本县已登记的社会组织")


def committee_create(
    *, division_code: str, name: str, kind: str, established_on: dt.date, org_credit_code: str = "", phone: str = "",
    actor: Actor, client_ip: str = "",
) -> Committee:  # fmt: skip
    division = division_checked(actor, division_code)
    if kind not in Committee.Kind.values:
        raise GovernanceError("类型：请选择村（居）、乡镇（街道）、行业性专业性或社会组织人民调解委员会")
    code = org_credit_code.strip().upper()
    if kind == Committee.Kind.SOCIALORG:
        _check_org(code, division.code)
    with transaction.atomic():
        committee = Committee.objects.create(
            division_code=division.code, name=required(name, "名称"), kind=kind, established_on=established_on,
            org_credit_code=code, phone=phone.strip(),
        )  # fmt: skip
        _audit(actor, "gov_committee", committee.pk, f"登记人民调解委员会 {committee.name}", client_ip)
    return committee


def mediator_add(
    committee: Committee, *, name: str, title: str, phone: str = "", actor: Actor, client_ip: str = ""
) -> Mediator:
    division_checked(actor, committee.division_code)
    if title not in Mediator.Title.values:
        raise GovernanceError("职务：请选择主任、副主任、委员或人民调解员")
    with transaction.atomic():
        mediator = Mediator.objects.create(
            committee=committee, name=required(name, "姓名"), title=title, phone=phone.strip()
        )
        _audit(actor, "gov_committee", committee.pk, f"{committee.name} 增加调解员 {mediator.name}", client_ip)
    return mediator


@dataclass(frozen=True)
class PartyIn:
    side: str
    name: str
    id_number: str = ""
    phone: str = ""


def _party_id(value: str) -> str:
    """A person's number is checked (check digit, birth date); an organisation's 统一社会信用代码 is kept as typed."""
    value = value.strip().upper()
    if len(value) in (15, 18) and value[:15].isdigit() and value[6:8] in ("19", "20"):
        try:
            return parse_id(value).number
        except IdNumberError as exc:
            raise GovernanceError(f"当事人公民身份号码 {value}：{exc}") from None
    return value


def case_open(
    committee: Committee, *, division_code: str, type: str, facts: str, received_on: dt.date, parties: list[PartyIn],
    mediators: list[Mediator], actor: Actor, client_ip: str = "",
) -> MediationCase:  # fmt: skip
    division = division_checked(actor, division_code)
    division_checked(actor, committee.division_code)
    if type not in MediationCase.Type.values:
        raise GovernanceError("纠纷类型：请从列表中选择")
    if not parties:
        raise GovernanceError("请至少登记一方当事人")
    if any(m.committee_id != committee.pk for m in mediators):
        raise GovernanceError("承办调解员须属于本调解委员会")
    if received_on > timezone.localdate():
        raise GovernanceError(f"受理日期 {received_on} 晚于今天")
    with transaction.atomic():
        case = MediationCase.objects.create(
            committee=committee, number=next_number(MediationCase, "调解", division.code, received_on.year),
            division_code=division.code, type=type, facts=required(facts, "纠纷事实"), received_on=received_on,
            created_by=user_or_none(actor),
        )  # fmt: skip
        case.mediators.set(mediators)
        for p in parties:
            if p.side not in Party.Side.values:
                raise GovernanceError(f"当事人 {p.name}：请选择申请人或被申请人")
            Party.objects.create(
                case=case, side=p.side, name=required(p.name, "当事人姓名"), id_number=_party_id(p.id_number),
                phone=p.phone.strip(),
            )  # fmt: skip
        workflow.start(case, actor=actor, on=received_on, client_ip=client_ip)
        _audit(actor, "gov_mediation", case.pk, f"受理调解 {case.number}（{case.get_type_display()}）", client_ip)
    return case


def case_agree(
    case: MediationCase, *, agreement: str, perform_by: dt.date, judicial_confirmation: bool = False,
    on: dt.date | None = None, actor: Actor, client_ip: str = "",
) -> MediationCase:  # fmt: skip
    day = on or timezone.localdate()
    if perform_by < day:
        raise GovernanceError(f"履行期限 {perform_by} 早于协议日期 {day}")
    changes = {
        "agreement": agreement.strip(), "agreed_on": day, "perform_by": perform_by,
        "judicial_confirmation": judicial_confirmation,
    }  # fmt: skip
    data = {"agreement": agreement, "perform_by": perform_by.isoformat()}
    workflow.transition(case, "agreed", actor=actor, data=data, changes=changes, on=day, client_ip=client_ip)
    return case


def case_fail(case: MediationCase, *, reason: str, actor: Actor, client_ip: str = "") -> MediationCase:
    workflow.transition(case, "failed", actor=actor, reason=reason, client_ip=client_ip)
    return case


def followup_add(
    case: MediationCase, *, on: dt.date, fulfilled: bool, note: str, actor: Actor, client_ip: str = ""
) -> FollowUp:
    """回访: a fulfilled agreement closes the case in the same transaction."""
    if case.status != "agreed":
        raise GovernanceError("只有达成协议、尚未结案的案件可以登记履行回访")
    if on > timezone.localdate():
        raise GovernanceError(f"回访日期 {on} 晚于今天")
    with transaction.atomic():
        followup = FollowUp.objects.create(
            case=case, on=on, fulfilled=fulfilled, note=required(note, "回访情况"), recorded_by=user_or_none(actor)
        )
        _audit(
            actor, "gov_mediation", case.pk, f"{case.number} 履行回访：{'已履行' if fulfilled else '未履行'}", client_ip
        )
        if fulfilled:
            workflow.transition(case, "closed", actor=actor, on=on, client_ip=client_ip)
    return followup
