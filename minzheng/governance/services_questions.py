"""阳光报告会 and its question ledger (seed 004 §德州): meetings, questions recorded at them, each assigned to
a department or person with a deadline in working days, answered, and closed (销号) only when the asker
confirms; an asker who is not satisfied reopens it with a new deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.masking import mask_name
from minzheng.governance.models import Meeting, Question
from minzheng.governance.services import GovernanceError, division_checked, next_number, required, user_or_none
from minzheng.workdays.selectors import add_working_days
from minzheng.workflow import services as workflow

MAX_DAYS = 60  # a longer deadline is not a deadline (this platform's bound; 德州 sets none)
CONFIRM_WAYS = {"face": "当面确认", "phone": "电话回访确认", "signature": "签字确认"}


@workflow.guard("governance.asker_confirmed")
def _asker_confirmed(question: Question, actor: Any, data: dict[str, Any]) -> str | None:
    if data.get("way") not in CONFIRM_WAYS:
        return "销号须由提问人确认：请选择当面、电话回访或签字确认"
    return None if data.get("satisfied") is True else "提问人不满意的问题不能销号：请重新交办"


def meeting_create(
    *,
    division_code: str,
    held_on: dt.date,
    place: str,
    reporter: str,
    attendance: int,
    report: str,
    officials: str = "",
    evaluation: str = "",
    actor: Actor,
    client_ip: str = "",
) -> Meeting:
    division = division_checked(actor, division_code, village=True)
    if held_on > timezone.localdate():
        raise GovernanceError(f"召开日期 {held_on} 晚于今天")
    if attendance <= 0:
        raise GovernanceError("参会人数应大于 0")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            division_code=division.code,
            held_on=held_on,
            place=required(place, "地点"),
            reporter=required(reporter, "述职人"),
            attendance=attendance,
            officials=officials.strip(),
            report=required(report, "报告内容"),
            evaluation=evaluation.strip(),
            created_by=user_or_none(actor),
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="gov_meeting",
            object_id=meeting.pk,
            summary=f"{division.name} {held_on} 阳光报告会，参会 {attendance} 人",
            client_ip=client_ip,
        )
    return meeting


def question_record(
    meeting: Meeting,
    *,
    category: str,
    text: str,
    asker_name: str = "",
    asker_phone: str = "",
    public: bool = True,
    actor: Actor,
    client_ip: str = "",
) -> Question:
    if category not in Question.Category.values:
        raise GovernanceError("类别：请选择党务、财务、村务、资金、资产、资源或其他诉求")
    with transaction.atomic():
        question = Question.objects.create(
            meeting=meeting,
            number=next_number(Question, "质询", meeting.division_code, meeting.held_on.year),
            division_code=meeting.division_code,
            category=category,
            text=required(text, "质询内容"),
            asker_name=asker_name.strip(),
            asker_phone=asker_phone.strip(),
            public=public,
            created_by=user_or_none(actor),
        )
        workflow.start(question, actor=actor, on=meeting.held_on, client_ip=client_ip)
        audit_record(
            actor=actor,
            action="create",
            object_type="gov_question",
            object_id=question.pk,
            summary=f"登记质询 {question.number}（提问人 {mask_name(question.asker_name) or '未留名'}）",
            client_ip=client_ip,
        )
    return question


def question_assign(
    question: Question,
    *,
    assignee_kind: str,
    assignee: str,
    days: int,
    on: dt.date | None = None,
    reason: str = "",
    actor: Actor,
    client_ip: str = "",
) -> Question:
    """交办 (or, from 已答复, 重新交办 with the asker's reason): the due date is `days` working days later."""
    if assignee_kind not in Question.AssigneeKind.values:
        raise GovernanceError("承办类型：请选择部门或责任人")
    if not 1 <= days <= MAX_DAYS:
        raise GovernanceError(f"办理时限应为 1 至 {MAX_DAYS} 个工作日")
    day = on or timezone.localdate()
    reopening = question.status == "answered"
    changes: dict[str, Any] = {
        "assignee_kind": assignee_kind,
        "assignee": required(assignee, "承办部门或责任人"),
        "assigned_on": day,
        "deadline_days": days,
        "due_on": add_working_days(day, days),
    }
    if reopening:
        changes |= {"reopened": question.reopened + 1, "answer": "", "answered_on": None}
    data = {"assignee": changes["assignee"], "days": days, "due_on": changes["due_on"].isoformat()}
    workflow.transition(
        question, "assigned", actor=actor, reason=reason, data=data, changes=changes, on=day, client_ip=client_ip
    )
    return question


def question_answer(
    question: Question, *, answer: str, on: dt.date | None = None, actor: Actor, client_ip: str = ""
) -> Question:
    """答复: on the spot (from 已登记) or by the assignee (from 办理中); then the asker is asked."""
    answer = required(answer, "答复内容")
    day = on or timezone.localdate()
    changes: dict[str, Any] = {"answer": answer, "answered_on": day, "on_the_spot": question.status == "recorded"}
    workflow.transition(
        question, "answered", actor=actor, data={"answer": answer}, changes=changes, on=day, client_ip=client_ip
    )
    return question


def question_confirm(question: Question, *, way: str, comment: str = "", actor: Actor, client_ip: str = "") -> Question:
    """销号: the asker says they are satisfied, face to face, by a return call or by signing."""
    today = timezone.localdate()
    text = f"{CONFIRM_WAYS.get(way, way)}：{comment.strip() or '满意'}"
    workflow.transition(
        question,
        "closed",
        actor=actor,
        data={"way": way, "satisfied": True, "comment": comment},
        changes={"confirmed_on": today, "confirmation": text[:200]},
        client_ip=client_ip,
    )
    return question


def question_overdue(question: Question, today: dt.date | None = None) -> bool:
    """Past its deadline and still with the assignee (an answered question waits for the asker, not them)."""
    today = today or timezone.localdate()
    return question.status == "assigned" and question.due_on is not None and question.due_on < today
