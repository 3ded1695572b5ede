"""`/api/v1/cases`: open a case, read it, move it. Scoped and audited like the pages (404 outside)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from minzheng.audit.services import audit_record, client_ip
from minzheng.cases import selectors, services
from minzheng.cases.access import access_case, can_work_cases
from minzheng.cases.casetypes import case_types
from minzheng.registry.access import access_household_by_no
from minzheng.workflow.services import TransitionRefused

router = Router(tags=["社会救助案件"])


class CaseIn(Schema):
    case_type: str
    household_no: str
    received_on: dt.date
    authorisation_no: str = ""
    applicant_id: int | None = None


class TransitionIn(Schema):
    to: str
    reason: str = ""
    data: dict[str, Any] = {}


class Decision(Schema):
    eligible: bool | None
    amount_fen: int | None
    explanation: list[str]


class CaseOut(Schema):
    case_no: str
    case_type: str
    status: str
    status_label: str
    stage_due_on: dt.date | None
    due_on: dt.date | None
    deadlines_settled: bool
    received_on: dt.date


class CaseDetailOut(CaseOut):
    history: list[dict[str, Any]]
    decision: Decision | None = None


class Detail(Schema):
    detail: str


def _refused(exc: Exception) -> Status:
    return Status(409, {"detail": str(exc)})


@router.post("/cases", response={201: CaseOut, 404: Detail, 409: Detail, 422: Detail}, summary="受理申请")
def case_create(request: HttpRequest, body: CaseIn) -> Any:
    if not can_work_cases(request.user):
        return Status(404, {"detail": "未找到，或不在您的管辖范围内"})
    if body.case_type not in case_types():
        return Status(422, {"detail": f"未知的案件类型：{body.case_type}"})
    household = access_household_by_no(request.user, body.household_no)
    applicant = household.members.filter(pk=body.applicant_id).first() if body.applicant_id else None
    opening = services.Opening(
        case_type=body.case_type,
        household=household,
        received_on=body.received_on,
        authorisation_no=body.authorisation_no,
        applicant=applicant,
    )
    try:
        case = services.case_open(opening, actor=request.user, client_ip=client_ip(request))
    except (services.CaseError, TransitionRefused) as exc:
        return _refused(exc)
    return Status(201, selectors.case_state(case))


@router.get("/cases/{case_no}", response={200: CaseDetailOut, 404: Detail}, summary="案件详情与流转记录")
def case_get(request: HttpRequest, case_no: str) -> Any:
    case = access_case(request.user, case_no)
    audit_record(
        actor=request.user,
        action="view",
        object_type="case",
        object_id=case.pk,
        summary=f"查看案件 {case.case_no}（接口）",
        client_ip=client_ip(request),
    )
    return selectors.case_detail(case)


@router.post(
    "/cases/{case_no}/transitions", response={200: CaseDetailOut, 404: Detail, 409: Detail}, summary="办理下一环节"
)
def case_move(request: HttpRequest, case_no: str, body: TransitionIn) -> Any:
    case = access_case(request.user, case_no, work=True)
    try:
        services.case_transition(
            case, body.to, actor=request.user, reason=body.reason, data=body.data, client_ip=client_ip(request)
        )
    except (services.CaseError, TransitionRefused) as exc:
        return _refused(exc)
    case.refresh_from_db()
    return selectors.case_detail(case)
