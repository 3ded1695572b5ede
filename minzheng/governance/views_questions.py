"""阳光报告会 pages: the question ledger (open, overdue, reopened, closed; Excel), meetings, one question with
its next step. A question's page shows the asker (for the confirmation call) and is audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.masking import mask_phone
from minzheng.governance import access, exports, forms, selectors
from minzheng.governance import services_questions as svc
from minzheng.governance.models import Meeting, Question
from minzheng.governance.services import QUESTION_MACHINE, read_recorded
from minzheng.governance.views_common import form_page, post_step
from minzheng.workdays.selectors import settled
from minzheng.workflow.services import history

STEPS: dict[str, dict[str, Any]] = {
    "recorded": {"assign": forms.AssignForm, "answer": forms.AnswerForm},
    "assigned": {"answer": forms.AnswerForm},
    "answered": {"confirm": forms.ConfirmForm, "assign": forms.AssignForm},
}
TITLES = {"assign": "交办（或提问人不满意时重新交办）", "answer": "答复", "confirm": "提问人确认，销号"}
SHOWS = [("", "未销号"), ("overdue", "逾期"), ("reopened", "重新交办"), ("closed", "已销号"), ("all", "全部")]


@role_required(access.can_read)
def question_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    if request.GET.get("export") == "xlsx":
        name, data = exports.questions_xlsx(request.user, show, client_ip=client_ip(request))
        response = HttpResponse(data, content_type=exports.XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    context = {
        "rows": selectors.question_rows(request.user, show),
        "meetings": selectors.meetings(request.user),
        "show": show,
        "shows": SHOWS,
        "writable": access.can_work(request.user),
    }
    return render(request, "governance/questions.html", context)


@role_required(access.can_work)
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = forms.MeetingForm(request.POST or None, user=request.user)

    def run(d: dict[str, Any], ip: str) -> Meeting:
        return svc.meeting_create(**d, actor=request.user, client_ip=ip)  # type: ignore[arg-type]

    note = "报告会按“一述、两问、三评、四定”进行；群众提出的问题在会议页面逐条登记。"
    return form_page(request, form, "登记阳光报告会", run, lambda m: f"/governance/meetings/{m.pk}/", note)


@role_required(access.can_read)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.access(request.user, Meeting, pk)
    today = timezone.localdate()
    rows = [selectors.question_row(q, today, {}) for q in meeting.questions.order_by("pk")]
    form = forms.QuestionForm() if access.can_work(request.user) else None
    return render(request, "governance/meeting.html", {"m": meeting, "rows": rows, "form": form})


@require_POST
@role_required(access.can_work)
def question_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access.access(request.user, Meeting, pk, write=True)
    user = request.user

    def run(d: dict[str, Any], ip: str) -> Question:
        return svc.question_record(meeting, **d, actor=user, client_ip=ip)  # type: ignore[arg-type]

    return post_step(request, forms.QuestionForm(request.POST), run, f"/governance/meetings/{pk}/", "已登记质询")


@role_required(access.can_read)
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    q = access.access(request.user, Question, pk)
    read_recorded(request.user, "gov_question", q.pk, f"查看质询 {q.number}（含提问人）", client_ip(request))
    steps = STEPS.get(q.status, {}) if access.can_work(request.user) else {}
    context = {
        "q": q,
        "state": QUESTION_MACHINE.state_label(q.status),
        "overdue": svc.question_overdue(q),
        "settled": settled(q.due_on) if q.due_on else True,
        "phone": mask_phone(q.asker_phone),
        "history": history(q),
        "steps": [(key, TITLES[key], cls()) for key, cls in steps.items()],
    }
    return render(request, "governance/question.html", context)


@require_POST
@role_required(access.can_work)
def question_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    q = access.access(request.user, Question, pk, write=True)
    cls = STEPS.get(q.status, {}).get(step)
    if cls is None:
        raise Http404("该环节不可办理")
    user = request.user
    runs = {
        "assign": lambda d, ip: svc.question_assign(
            q,
            assignee_kind=d["assignee_kind"],
            assignee=d["assignee"],
            days=d["days"],
            reason=d["reason"],
            actor=user,
            client_ip=ip,
        ),
        "answer": lambda d, ip: svc.question_answer(q, answer=d["answer"], actor=user, client_ip=ip),
        "confirm": lambda d, ip: svc.question_confirm(q, way=d["way"], comment=d["comment"], actor=user, client_ip=ip),
    }
    return post_step(
        request, cls(request.POST), runs[step], f"/governance/questions/{q.pk}/", f"{TITLES[step]}：已办理"
    )
