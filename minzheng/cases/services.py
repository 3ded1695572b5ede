"""Every write to a case: open at the window, move through stages, 公示 and objections, letters.

Each function is one transaction with a keyword-only actor and audit rows (the workflow
kernel writes the transition's own). Deadlines are working days from the holiday table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.cases.casetypes import CaseType, case_type, case_types
from minzheng.cases.items import stage_item_sync
from minzheng.cases.models import Case, CaseSequence, FieldVisit, Letter, Material, Objection, Publicity
from minzheng.core.dates import DateInputError, parse_day
from minzheng.core.masking import mask_name
from minzheng.notifications.services import notify
from minzheng.registry.models import Household, Person, PersonTag
from minzheng.workdays.selectors import add_working_days
from minzheng.workflow import services as workflow
from minzheng.workflow.services import Binding, TransitionRefused

OPENERS = {"town_officer", "village_worker"}  # 受理: the town's window, or a village worker for the town
RESERVED = {"screening", "target"}
# A letter's number is its case's plus one character for its kind: 低保-330212-2026-000123-受.
LETTER_SUFFIX = {
    "accepted": "受",
    "refused": "拒",
    "rejected": "否",
    "approved": "准",
    "stopped": "停",
}


def _machine(case: Case) -> Any:
    return case_type(case.case_type).machine


workflow.bind(Case, Binding(object_type="case", machine=_machine, state_field="status", due_field="stage_due_on"))


class CaseError(ValueError):
    """A case request refused with a Chinese reason (bad date, duplicate, wrong subject)."""


@dataclass(frozen=True)
class Opening:
    case_type: str
    household: Household
    received_on: dt.date
    authorisation_no: str = ""
    applicant: Person | None = None
    urgent: bool = False
    drafted_from: str = ""
    draft: bool = False  # 应享未享: drafted by the platform, accepted when the household signs


def _received_on(raw: Any) -> dt.date:
    try:
        day = parse_day(raw, "受理日期")
    except DateInputError as exc:
        raise CaseError(str(exc)) from None
    if day > timezone.localdate():
        raise CaseError(f"受理日期 {day} 晚于今天")
    return day


def _next_no(ctype: CaseType, division_code: str, year: int) -> str:
    prefix = f"{ctype.prefix}-{division_code[:6]}-{year}"
    seq, _ = CaseSequence.objects.select_for_update().get_or_create(prefix=prefix)
    CaseSequence.objects.filter(pk=seq.pk).update(last=seq.last + 1)
    return f"{prefix}-{seq.last + 1:06d}"


def _open_duplicate(ctype: CaseType, household: Household, applicant: Person | None) -> Case | None:
    open_cases = Case.objects.filter(case_type=ctype.id, household=household).exclude(status__in=ctype.final_states)
    if ctype.subject == "person":
        open_cases = open_cases.filter(applicant=applicant)
    return open_cases.first()


def _check_opening(o: Opening, ctype: CaseType) -> None:
    if ctype.subject == "person" and o.applicant is None:
        raise CaseError(f"{ctype.name}以个人为对象，请选择申请人")
    if o.applicant is not None and o.applicant.household_id != o.household.pk:
        raise CaseError("申请人不是该户成员")
    duplicate = _open_duplicate(ctype, o.household, o.applicant)
    if duplicate is not None:
        raise CaseError(
            f"已有在办的{ctype.name}申请 {duplicate.case_no}（{_machine(duplicate).state_label(duplicate.status)}）"
        )


def case_open(o: Opening, *, actor: Actor | None, client_ip: str = "") -> Case:
    """受理: number the case, set its deadlines from the received date, tick what data already proves.

    The system (actor None) may only draft (一件事 drafted from a cremation or hukou record); 受理 is a person's.
    """
    ctype = case_type(o.case_type)
    received_on = _received_on(o.received_on)
    if getattr(actor, "role", None) not in OPENERS and not (actor is None and o.draft):
        raise TransitionRefused(f"「{getattr(actor, 'role_label', '') or '系统'}」不能受理申请", "role")
    _check_opening(o, ctype)
    with transaction.atomic():
        total = ctype.total_working_days(o.household.division_id, received_on)
        # 受理 at the window enters `accepted`; a draft, or a type with no 受理 stage (停保复核), starts at the initial.
        direct = "accepted" in ctype.machine.states and not o.draft
        state = "accepted" if direct else ctype.machine.initial.id
        case = Case.objects.create(
            case_no=_next_no(ctype, o.household.division_id, received_on.year),
            case_type=ctype.id,
            household=o.household,
            applicant=o.applicant or _head(o.household),
            division_code=o.household.division_id,
            status=state,
            received_on=received_on,
            due_on=None if o.draft else add_working_days(received_on, total),  # a draft's clock starts at 受理
            authorisation_no=o.authorisation_no.strip(),
            urgent=o.urgent,
            drafted_from=o.drafted_from,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        workflow.start(case, actor=actor, on=received_on, client_ip=client_ip, state=state)
        materials_refresh(case)
        if state == "accepted":
            letter_issue(case, Letter.Kind.ACCEPTED, on=received_on)
        stage_item_sync(case)
    return case


def _head(household: Household) -> Person | None:
    return household.members.order_by("relation", "birth_date").first()


def materials_refresh(case: Case) -> None:
    """Tick each checklist item that data already proves (零证明) or that the case already holds."""
    ctype = case_type(case.case_type)
    existing = {m.key: m for m in case.materials.all()}
    for spec in ctype.materials:
        status, note = _material_status(case, spec)
        current = existing.get(spec.key)
        if current is None:
            Material.objects.create(case=case, key=spec.key, label=spec.label, status=status, note=note)
        elif current.status in (Material.Status.MISSING, Material.Status.FETCHED) and current.status != status:
            Material.objects.filter(pk=current.pk).update(status=status, note=note)


def _material_status(case: Case, spec: Any) -> tuple[str, str]:
    if spec.field:
        filled = bool(str(getattr(case, spec.field, "") or "").strip())
        return (
            (Material.Status.RECEIVED, f"编号 {getattr(case, spec.field)}") if filled else (Material.Status.MISSING, "")
        )
    if spec.fetched_by == "registry":
        return Material.Status.FETCHED, "本平台居民台账（户籍信息）"
    if spec.fetched_by == "verification":
        report = case.household.verification_reports.order_by("-as_of", "-pk").first()
        if report is not None:
            return Material.Status.FETCHED, f"一键核对报告 {report.report_no}（数据时点 {report.as_of}）"
        return Material.Status.MISSING, "调查时出具一键核对报告即可代替"
    if spec.fetched_by == "tag_disability":
        disabled = PersonTag.objects.filter(person__household=case.household, kind=PersonTag.Kind.DISABILITY)
        if disabled.exists():
            return Material.Status.FETCHED, "残疾人信息（居民台账标签）"
        return Material.Status.WAIVED, "家庭成员无残疾登记"
    return Material.Status.MISSING, ""


def case_transition(
    case: Case,
    to: str,
    *,
    actor: Actor,
    reason: str = "",
    data: dict[str, Any] | None = None,
    client_ip: str = "",
) -> Case:
    """Take one step; the stage's own records (survey, 公示, decision, letters) are written with it."""
    # The screening and the target are the platform's to fill, never the caller's.
    data = {k: v for k, v in (data or {}).items() if k not in RESERVED}
    data["target"] = to
    on = _step_date(data.pop("on", None))
    with transaction.atomic():
        changes = _decision_changes(case, to, data, on)
        workflow.transition(
            case, to, actor=actor, reason=reason, data=data, on=on, changes=changes, client_ip=client_ip
        )
        _after(case, to, actor=actor, reason=reason, data=data, on=on or timezone.localdate())
        stage_item_sync(case)
    return case


def _step_date(raw: Any) -> dt.date | None:
    if raw in (None, ""):
        return None
    try:
        return parse_day(raw, "办理日期")
    except DateInputError as exc:
        raise TransitionRefused(str(exc), "date") from None


def _decision_changes(case: Case, to: str, data: dict[str, Any], on: dt.date | None) -> dict[str, Any]:
    """The engine's screening (computed by the guard) and, on a decision, the decision itself."""
    changes: dict[str, Any] = {}
    if to == "accepted":
        return _acceptance_changes(case, data, on or timezone.localdate())
    ctype = case_type(case.case_type)
    if to not in ctype.screen_at:
        return changes
    # Guards run inside workflow.transition; compute the screening first so the same answer is stored.
    from minzheng.cases.decision import screen

    screening = data.setdefault("screening", screen(case))
    changes.update(
        engine_eligible=screening.get("eligible"),
        engine_amount_fen=screening.get("amount_fen"),
        engine_explanation=screening.get("explanation") or [],
        engine_missing=screening.get("missing") or [],
    )
    approve = ctype.decision_of(to)
    if approve is not None:
        amount = data.get("amount_fen", screening.get("amount_fen")) if approve else None
        changes.update(
            decision_eligible=approve,
            decision_amount_fen=int(amount) if amount is not None else None,
            override_reason=str(data.get("override_reason") or "").strip(),
            decided_on=on or timezone.localdate(),
        )
    return changes


def _acceptance_changes(case: Case, data: dict[str, Any], on: dt.date) -> dict[str, Any]:
    """A draft becomes an application on the day the household signs: its deadlines count from then."""
    total = case_type(case.case_type).total_working_days(case.division_code, on)
    changes: dict[str, Any] = {"received_on": on, "due_on": add_working_days(on, total)}
    if str(data.get("authorisation_no") or "").strip():
        changes["authorisation_no"] = str(data["authorisation_no"]).strip()[:64]
    return changes


def _after(case: Case, to: str, *, actor: Actor, reason: str, data: dict[str, Any], on: dt.date) -> None:
    if to == "accepted":
        materials_refresh(case)
        letter_issue(case, Letter.Kind.ACCEPTED, on=on)
    elif to == "investigated":
        _verification_report(case, actor=actor)
        survey = data.get("survey") or {}
        FieldVisit.objects.create(
            case=case,
            visited_on=parse_day(survey["visited_on"], "入户调查日期"),
            visitors=[str(v).strip() for v in survey.get("visitors") or [] if str(v).strip()],
            findings=str(survey.get("findings") or ""),
            latitude=survey.get("latitude"),
            longitude=survey.get("longitude"),
            photos=list(survey.get("photos") or []),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        materials_refresh(case)
    elif to == "publicised":
        publicity_open(case, starts_on=on)
    elif case_type(case.case_type).letter_for(to):
        letter_issue(case, case_type(case.case_type).letter_for(to) or "", on=on, reasons=reason)


def _verification_report(case: Case, *, actor: Any) -> None:
    """The investigation comes with the household's 一键核对 report, issued under the case's 核对授权书.

    Issued on the latest delivered data; where no department data has arrived yet there is nothing to
    check against, and the checklist keeps 收入、财产情况证明 as to be submitted on paper.
    """
    from minzheng.verification.access import can_verify_household
    from minzheng.verification.selectors import latest_feed_day
    from minzheng.verification.services import household_verify

    as_of = latest_feed_day(timezone.localdate())
    if as_of is None:
        return
    # A village worker records the visit; the report is the case's, issued by the platform on its behalf.
    who = actor if can_verify_household(actor, case.household) else None
    household_verify(actor=who, household=case.household, as_of=as_of, authorisation_ref=case.authorisation_no)


def publicity_text(case: Case) -> str:
    ctype = case_type(case.case_type)
    who = mask_name(case.applicant.name) if case.applicant else "申请人"
    size = case.household.members.count()
    amount = f"，拟保障金额 {case.engine_amount_fen / 100:,.2f} 元" if case.engine_amount_fen else ""
    return f"{who}家（{size} 人）申请{ctype.name}，经入户调查和信息核对，乡镇（街道）审核意见为拟同意{amount}。"


def publicity_open(case: Case, *, starts_on: dt.date) -> Publicity:
    """公示 for the type's days (calendar days, the first day counted)."""
    days = case_type(case.case_type).publicity_days
    publicity, _ = Publicity.objects.update_or_create(
        case=case,
        defaults={
            "starts_on": starts_on,
            "ends_on": starts_on + dt.timedelta(days=days - 1),
            "text": publicity_text(case),
        },
    )
    return publicity


def objection_record(
    publicity: Publicity, *, actor: Actor, content: str, received_on: dt.date, contact: str = "", client_ip: str = ""
) -> Objection:
    if not content.strip():
        raise CaseError("请填写异议内容")
    with transaction.atomic():
        objection = Objection.objects.create(
            publicity=publicity, content=content.strip(), contact=contact.strip()[:64], received_on=received_on
        )
        notify(
            kind="objection",
            title=f"{publicity.case.case_no} 公示收到异议，请核实答复",
            fingerprint=f"objection:{objection.pk}",
            role="town_officer",
            division_code=publicity.case.division_code,
            link=f"/cases/{publicity.case.case_no}/",
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="case",
            object_id=publicity.case_id,
            summary=f"登记公示异议（{publicity.case.case_no}）",
            client_ip=client_ip,
        )
    return objection


def objection_answer(objection: Objection, *, actor: Actor, answer: str, client_ip: str = "") -> Objection:
    if not answer.strip():
        raise CaseError("请填写对异议的核实与答复情况")
    with transaction.atomic():
        Objection.objects.filter(pk=objection.pk).update(
            answer=answer.strip(), answered_by=actor, answered_on=timezone.localdate()
        )
        audit_record(
            actor=actor,
            action="update",
            object_type="case",
            object_id=objection.publicity.case_id,
            summary=f"答复公示异议（{objection.publicity.case.case_no}）",
            reason=answer.strip()[:500],
            client_ip=client_ip,
        )
    objection.refresh_from_db()
    return objection


def letter_issue(case: Case, kind: str, *, on: dt.date, reasons: str = "") -> Letter:
    """Record a notice; the PDF is drawn from this record whenever it is printed."""
    ctype = case_type(case.case_type)
    refusal = kind in (Letter.Kind.REJECTED, Letter.Kind.STOPPED)
    due = add_working_days(on, ctype.rejection_letter_days) if refusal else None
    body = {
        "case_type": ctype.name,
        "reasons": reasons,
        "legal_basis": [f"{b.get('名称', '')}（{b.get('文号', '')}）" for b in ctype.legal_basis],
        "amount_fen": case.decision_amount_fen,
    }
    number = f"{case.case_no}-{LETTER_SUFFIX[kind]}"
    letter, _ = Letter.objects.get_or_create(
        number=number,
        defaults={
            "case": case,
            "kind": kind,
            "issued_on": on,
            "due_on": due,
            "addressee": case.applicant.name if case.applicant else case.household.household_no,
            "body": body,
        },
    )
    return letter


def known_case_types() -> list[tuple[str, str]]:
    return [(t.id, t.name) for t in case_types().values()]


def window_refuse(
    *, actor: Actor, household: Household, case_type_id: str, addressee: str, reasons: str, client_ip: str = ""
) -> Letter:
    """不予受理 at the window: no case is opened, the person gets a letter with the reasons."""
    ctype = case_type(case_type_id)
    if getattr(actor, "role", None) not in OPENERS:
        raise TransitionRefused(f"「{getattr(actor, 'role_label', '') or '系统'}」不能出具不予受理告知书", "role")
    if not reasons.strip():
        raise CaseError("请填写不予受理的理由")
    today = timezone.localdate()
    with transaction.atomic():
        seq = _next_no(ctype, household.division_id, today.year).replace(ctype.prefix, f"{ctype.prefix}不受理", 1)
        letter = Letter.objects.create(
            kind=Letter.Kind.REFUSED,
            number=seq,
            issued_on=today,
            addressee=addressee.strip()[:64] or household.household_no,
            body={
                "case_type": ctype.name,
                "reasons": reasons.strip(),
                "legal_basis": [f"{b.get('名称', '')}（{b.get('文号', '')}）" for b in ctype.legal_basis],
                "household_no": household.household_no,
                "division_code": household.division_id,
            },
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="letter",
            object_id=letter.pk,
            summary=f"出具不予受理告知书 {letter.number}（户 {household.household_no}）",
            reason=reasons.strip()[:500],
            client_ip=client_ip,
        )
    return letter
