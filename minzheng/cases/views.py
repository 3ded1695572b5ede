"""Case pages: the 全科受理 window, the case list, one case with its next steps, letters, the public 公示.

Thin: access (404 outside the jurisdiction) → services → templates. Every read of a case is audited.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import audit_record, client_ip
from minzheng.cases import selectors, services
from minzheng.cases.access import access_case, can_read_cases, can_work_cases, cases_visible_to
from minzheng.cases.casetypes import case_type, case_types
from minzheng.cases.forms import AnswerForm, ObjectionForm, OpenForm, RefuseForm, StepForm, SurveyForm
from minzheng.cases.letters import letter_lines, letter_pdf
from minzheng.cases.models import Case, Letter, Objection, Publicity
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import within
from minzheng.core.masking import mask_name
from minzheng.documents.models import Attachment
from minzheng.documents.services import AttachmentError, attachment_read, attachment_store
from minzheng.registry.access import access_person
from minzheng.workdays.selectors import settled
from minzheng.workflow.services import TransitionRefused
from minzheng.workitems.selectors import mine

OPENERS = {"town_officer", "village_worker"}
MAX_PHOTOS = 9


def _row(case: Case, today: Any) -> dict[str, Any]:
    # Late when either the stage's or the whole procedure's deadline has passed on an open case.
    late = selectors.is_open(case) and any(d is not None and d < today for d in (case.stage_due_on, case.due_on))
    return {
        "case": case,
        "type_name": case_type(case.case_type).name,
        "who": mask_name(case.applicant.name) if case.applicant else "",
        "stage": selectors.stage_label(case),
        "late": late,
        "unsettled": not settled(*filter(None, [case.received_on, case.due_on])),
        # The stage's deadline is counted in working days too: 未核定 when it reaches a year not in the table.
        "stage_unsettled": not settled(*filter(None, [case.received_on, case.stage_due_on])),
    }


@role_required(can_read_cases)
def case_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "mine")
    today = timezone.localdate()
    extra: dict[str, Any] = {}
    if tab == "mine":
        ids = [
            int(i) for i in mine(request.user).filter(subject_type="case").values_list("subject_id", flat=True)[:500]
        ]
        cases = cases_visible_to(request.user).filter(pk__in=ids)
    elif tab == "overdue":
        cases = selectors.overdue(request.user, today)
        extra["by_town"] = selectors.overdue_by_town(request.user, today)
    else:
        tab, cases = "all", cases_visible_to(request.user)
    cases = cases.filter(within("division_code", request.GET.get("division")))  # a dashboard link's division
    page = Paginator(cases.select_related("applicant").order_by("stage_due_on", "id"), 50).get_page(
        request.GET.get("page")
    )
    rows = [_row(c, today) for c in page]
    division = request.GET.get("division", "")[:12]
    return render(request, "cases/list.html", {"tab": tab, "rows": rows, "page": page, "division": division, **extra})


@role_required(lambda u: can_work_cases(u) and u.role in OPENERS)
def window(request: HttpRequest) -> HttpResponse:
    """全科受理: find the person (by the registry's search, audited), see what they could apply for, start it."""
    types = [t for t in case_types().values() if t.applied_for]
    context: dict[str, Any] = {"types": types, "today": timezone.localdate()}
    q = request.GET.get("q", "").strip()
    context["q"] = q
    if q:
        context.update(_window_search(request, q))
    pid = request.GET.get("person", "")
    if pid.isdigit():
        person = access_person(request.user, int(pid))
        context.update(
            person=person,
            household=person.household,
            open_form=OpenForm(initial={"applicant": person.pk, "received_on": context["today"]}),
        )
        context["screenings"] = _screenings(person)
        context["open_cases"] = [_row(c, context["today"]) for c in person.household.cases.order_by("-id")[:10]]
    return render(request, "cases/window.html", context)


def _window_search(request: HttpRequest, q: str) -> dict[str, Any]:
    from minzheng.registry.selectors import PersonRow
    from minzheng.registry.services import SearchRateLimited, person_search_run

    try:
        found = person_search_run(actor=request.user, q=q, client_ip=client_ip(request), via="window")
    except SearchRateLimited as exc:
        return {"search_note": str(exc)}
    rows = [PersonRow.of(p, today=timezone.localdate()) for p in found.persons]
    return {"found": rows, "search_note": found.refused or ("" if rows else "没有找到，请换一种查法")}


def _screenings(person: Any) -> list[dict[str, Any]]:
    """What the rules engine says of each case type for this household today: a screening, not a decision."""
    from minzheng.rules.eligibility import household_result

    try:
        policies = household_result(person.household, timezone.localdate())["policies"]
    except Exception:  # the window must work even when the engine cannot answer
        policies = []
    out = []
    for ctype in (t for t in case_types().values() if t.applied_for):
        rows = [
            p
            for p in policies
            if p["policy_id"] == ctype.policy and (ctype.subject == "household" or p.get("person_id") == person.pk)
        ]
        eligible = rows[0].get("eligible") if rows else None
        label = {True: "可能符合（预判）", False: "预判不符合", None: "待核对"}[eligible]
        out.append({"type": ctype, "label": label, "missing": (rows[0].get("missing") if rows else None) or []})
    return out


@require_POST
@role_required(lambda u: can_work_cases(u) and u.role in OPENERS)
def case_open(request: HttpRequest) -> HttpResponse:
    form = OpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查受理信息：" + "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(f"/cases/window/?person={request.POST.get('applicant', '')}")
    person = access_person(request.user, form.cleaned_data["applicant"])
    opening = services.Opening(
        case_type=form.cleaned_data["case_type"],
        household=person.household,
        applicant=person,
        received_on=form.cleaned_data["received_on"],
        authorisation_no=form.cleaned_data["authorisation_no"],
        urgent=form.cleaned_data["urgent"],
    )
    try:
        case = services.case_open(opening, actor=request.user, client_ip=client_ip(request))
    except (services.CaseError, TransitionRefused) as exc:
        messages.error(request, str(exc))
        return redirect(f"/cases/window/?person={person.pk}")
    messages.success(request, f"已受理：{case.case_no}。请打印受理通知书交申请人。")
    return redirect("cases:detail", case_no=case.case_no)


@require_POST
@role_required(lambda u: can_work_cases(u) and u.role in OPENERS)
def window_refuse(request: HttpRequest) -> HttpResponse:
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写不予受理的理由")
        return redirect(f"/cases/window/?person={request.POST.get('applicant', '')}")
    person = access_person(request.user, form.cleaned_data["applicant"])
    try:
        letter = services.window_refuse(
            actor=request.user,
            household=person.household,
            case_type_id=form.cleaned_data["case_type"],
            addressee=person.name,
            reasons=form.cleaned_data["reasons"],
            client_ip=client_ip(request),
        )
    except (services.CaseError, TransitionRefused) as exc:
        messages.error(request, str(exc))
        return redirect(f"/cases/window/?person={person.pk}")
    return redirect("cases:refusal", number=letter.number)


@role_required(lambda u: can_work_cases(u) and u.role in OPENERS)
def refusal(request: HttpRequest, number: str) -> HttpResponse:
    letter = _refusal_letter(request, number)
    return render(request, "cases/refusal.html", {"letter": letter, "lines": letter_lines(letter)})


def _steps_for(user: Any, case: Case) -> list[Any]:
    machine = case_type(case.case_type).machine
    return [t for t in machine.allowed_from(case.status) if not t.roles or user.role in t.roles]


@role_required(can_read_cases)
def case_detail(request: HttpRequest, case_no: str) -> HttpResponse:
    case = access_case(request.user, case_no)
    audit_record(
        actor=request.user, action="view", object_type="case", object_id=case.pk,
        summary=f"查看案件 {case.case_no}", client_ip=client_ip(request),
    )  # fmt: skip
    ctype = case_type(case.case_type)
    publicity = Publicity.objects.filter(case=case).first()
    steps = _steps_for(request.user, case) if can_work_cases(request.user) else []
    context = {
        "case": case,
        "ctype": ctype,
        "row": _row(case, timezone.localdate()),
        "detail": selectors.case_detail(case),
        "materials": case.materials.order_by("id"),
        "visits": case.visits.order_by("id"),
        "publicity": publicity,
        "objections": publicity.objections.order_by("id") if publicity else [],
        "letters": case.letters.order_by("id"),
        "steps": steps,
        "survey_form": SurveyForm(initial={"visited_on": timezone.localdate()}),
        "objection_form": ObjectionForm(initial={"received_on": timezone.localdate()}),
        "members": case.household.members.order_by("relation", "birth_date"),
        "decision_yuan": _yuan(case.decision_amount_fen),
        "engine_yuan": _yuan(case.engine_amount_fen),
    }
    return render(request, "cases/detail.html", context)


def _yuan(fen: int | None) -> str:
    return f"{fen / 100:,.2f}" if fen else ""


def _step_data(request: HttpRequest, form: StepForm, to: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if form.cleaned_data.get("on"):
        data["on"] = form.cleaned_data["on"].isoformat()
    if form.cleaned_data.get("override_reason"):
        data["override_reason"] = form.cleaned_data["override_reason"]
    amount = form.cleaned_data.get("amount_yuan")
    if amount is not None:
        data["amount_fen"] = int((Decimal(amount) * 100).to_integral_value())
    if to in ("reviewed", "village_reviewed") and request.POST.get("review_held_on"):  # 村级评议 too
        data["democratic_review"] = {
            "held_on": request.POST.get("review_held_on", "")[:10],
            "participants": int(request.POST.get("review_participants") or 0),
            "result": request.POST.get("review_result", "")[:500],
        }
    if to == "accepted":
        data["application_signed"] = request.POST.get("application_signed") == "1"
        data["authorisation_no"] = request.POST.get("authorisation_no", "")[:64]
    if to == "investigated":
        survey = SurveyForm(request.POST)
        if survey.is_valid():
            c = survey.cleaned_data
            data["survey"] = {
                "visited_on": c["visited_on"].isoformat(),
                "visitors": [
                    v.strip() for v in c["visitors"].replace("，", ",").replace("、", ",").split(",") if v.strip()
                ],
                "findings": c["findings"],
                "latitude": c.get("latitude"),
                "longitude": c.get("longitude"),
            }
    return data


@require_POST
@role_required(can_work_cases)
def case_step(request: HttpRequest, case_no: str) -> HttpResponse:
    case = access_case(request.user, case_no, work=True)
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查填写内容：" + "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("cases:detail", case_no=case.case_no)
    to = form.cleaned_data["to"]
    try:
        # Photos and the step stand or fall together: a refused step keeps no attachment rows.
        with transaction.atomic():
            data = _step_data(request, form, to)
            if to == "investigated" and "survey" in data:
                data["survey"]["photos"] = _store_photos(request, case)
            services.case_transition(
                case, to, actor=request.user, reason=form.cleaned_data["reason"] or "",
                data=data, client_ip=client_ip(request),
            )  # fmt: skip
    except (services.CaseError, TransitionRefused, AttachmentError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已办理：{selectors.stage_label(case)}")
    return redirect("cases:detail", case_no=case.case_no)


def _store_photos(request: HttpRequest, case: Case) -> list[int]:
    photos = request.FILES.getlist("photos")[:MAX_PHOTOS]
    return [
        attachment_store(
            f, filename=f.name, owner_type="case", owner_id=case.pk, kind="visit_photo",
            actor=request.user, client_ip=client_ip(request),
        ).pk
        for f in photos
    ]  # fmt: skip


@role_required(can_read_cases)
def attachment(request: HttpRequest, case_no: str, pk: int) -> HttpResponse:
    case = access_case(request.user, case_no)
    item = get_object_or_404(Attachment, pk=pk, owner_type="case", owner_id=str(case.pk))
    data = attachment_read(item, actor=request.user, client_ip=client_ip(request))
    return HttpResponse(data, content_type=item.content_type)


@require_POST
@role_required(can_work_cases)
def objection_add(request: HttpRequest, case_no: str) -> HttpResponse:
    case = access_case(request.user, case_no, work=True)
    publicity = get_object_or_404(Publicity, case=case)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        services.objection_record(
            publicity,
            actor=request.user,
            content=c["content"],
            contact=c["contact"],
            received_on=c["received_on"],
            client_ip=client_ip(request),
        )
        messages.success(request, "已登记异议，请核实后答复")
    else:
        messages.error(request, "请填写异议内容和收到日期")
    return redirect("cases:detail", case_no=case.case_no)


@require_POST
@role_required(can_work_cases)
def objection_answer(request: HttpRequest, case_no: str, pk: int) -> HttpResponse:
    case = access_case(request.user, case_no, work=True)
    objection = get_object_or_404(Objection, pk=pk, publicity__case=case)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise services.CaseError("请填写核实与答复情况")
        services.objection_answer(
            objection, actor=request.user, answer=form.cleaned_data["answer"], client_ip=client_ip(request)
        )
    except services.CaseError as exc:
        messages.error(request, str(exc))
    return redirect("cases:detail", case_no=case.case_no)


def _issuer(division_code: str) -> str:
    """The county bureau as letters sign it: 宁波市鄞州区民政局 (city and county, no province)."""
    from minzheng.divisions.selectors import division_path

    # Division codes are stored at 12 digits: the county is its first 6, padded.
    path = division_path(division_code[:6].ljust(12, "0"))
    return "".join(d.name for d in path[-2:]) + "民政局"


@role_required(can_read_cases)
def letter_download(request: HttpRequest, case_no: str, number: str) -> HttpResponse:
    case = access_case(request.user, case_no)
    letter = get_object_or_404(Letter, case=case, number=number)
    return _pdf_response(request, letter, case.division_code)


@role_required(lambda u: can_work_cases(u) and u.role in OPENERS)
def refusal_pdf(request: HttpRequest, number: str) -> HttpResponse:
    letter = _refusal_letter(request, number)
    return _pdf_response(request, letter, letter.body["division_code"])


def _refusal_letter(request: HttpRequest, number: str) -> Letter:
    """A window refusal has no case: its jurisdiction is the household's division kept in the letter."""
    letter = get_object_or_404(Letter, number=number, case__isnull=True, kind=Letter.Kind.REFUSED)
    if not str(letter.body.get("division_code", "")).startswith(request.user.jurisdiction):
        raise Http404("告知书不存在")
    return letter


def _pdf_response(request: HttpRequest, letter: Letter, division_code: str) -> HttpResponse:
    audit_record(
        actor=request.user, action="export", object_type="letter", object_id=letter.pk,
        summary=f"打印{letter.get_kind_display()} {letter.number}", client_ip=client_ip(request),
    )  # fmt: skip
    response = HttpResponse(letter_pdf(letter, _issuer(division_code)), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{letter.number}.pdf"
    return response


def publicity_public(request: HttpRequest, token: str) -> HttpResponse:
    """The public 公示 page: no login, masked name, no identity number, no address beyond the village."""
    publicity = get_object_or_404(Publicity.objects.select_related("case"), token=token)
    from minzheng.divisions.selectors import division_full_name

    context = {
        "publicity": publicity,
        "type_name": case_type(publicity.case.case_type).name,
        "place": division_full_name(publicity.case.division_code),
        "issuer": _issuer(publicity.case.division_code),
        "open": publicity.starts_on <= timezone.localdate() <= publicity.ends_on,
    }
    return render(request, "cases/public.html", context)
