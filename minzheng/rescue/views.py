"""救助管理 pages: the station's intake list, form and rescue file; the ledgers, due follow-ups and export.

Thin views: access.py scopes (404 outside), services write and audit, selectors read masked lists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.documents.models import Attachment
from minzheng.documents.services import attachment_read
from minzheng.registry.services import LookupRefused, numbers_lookup
from minzheng.rescue import access, exports, forms, selectors, services
from minzheng.rescue import services_ledger as ledger
from minzheng.rescue.models import IdentityRequest, LedgerEntry
from minzheng.workflow.services import TransitionRefused, history

ERRORS = (services.RescueError, ledger.LedgerError, TransitionRefused, LookupRefused)


def _errors(request: HttpRequest, form: Any) -> None:
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))


def _looked_up(request: HttpRequest, purpose: str, number: str) -> None:
    """A typed number, audited and rate-limited before the service looks it up (LookupRefused)."""
    numbers_lookup(actor=request.user, numbers=[number], purpose=purpose, client_ip=client_ip(request))  # type: ignore[arg-type]


@role_required(access.can_work_stays)
def stays(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "admitted")
    status = status if status in ("admitted", "returned", "transferred", "left", "died", "") else "admitted"
    rows = selectors.stay_rows(request.user, status)
    for row in rows:
        row["state"] = services.MACHINE.state_label(row["stay"].status)
    return render(request, "rescue/stays.html", {"rows": rows, "status": status, "machine": services.MACHINE})


@role_required(access.can_work_stays)
def intake(request: HttpRequest) -> HttpResponse:
    form = forms.IntakeForm(request.POST or None, request.FILES or None, initial={"admitted_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            data = services.Intake(
                **{k: d[k] for k in ("found_at", "found_on", "brought_by", "admitted_on", "planned_leave_on")},
                id_number=d["id_number"].strip(),
                name=d["name"],
                sex=d["sex"],
                age_estimate=d["age_estimate"],
                description=d["description"],
                condition=d["condition"],
                risks=list(d["risks"]),
            )
            try:
                user: Any = request.user
                _looked_up(request, "救助站入站登记", data.id_number)
                stay = services.intake_create(
                    data, station=user.jurisdiction, actor=user, photo=d["photo"], client_ip=client_ip(request)
                )
            except (*ERRORS, ValueError) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已登记入站：{stay.display_name}")
                return redirect("rescue:stay", pk=stay.pk)
        else:
            _errors(request, form)
    return render(request, "rescue/intake.html", {"form": form})


@role_required(access.can_work_stays)
def stay(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.access_stay(request.user, pk)
    services.stay_file_read(obj, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
    today = timezone.localdate()
    context = {
        "stay": obj,
        "state": services.MACHINE.state_label(obj.status),
        "days": services.stay_days(obj),
        "limit": services.stay_limit(obj),
        "over": services.stay_over_limit(obj),
        "history": history(obj),
        "requests": obj.identity_requests.order_by("pk"),
        "photos": Attachment.objects.filter(owner_type="rescue_stay", owner_id=str(obj.pk)),
        "handover": getattr(obj, "handover", None),
        "entries": obj.ledger_entries.all(),
        # A repeat wanderer: the person's other stays at this station, newest first.
        "others": (
            access.stays_visible_to(request.user).filter(person=obj.person).exclude(pk=obj.pk).order_by("-admitted_on")
            if obj.person_id
            else []
        ),
        "extend_form": forms.ExtendForm(initial={"planned_leave_on": obj.planned_leave_on}),
        "request_form": forms.IdentityRequestForm(),
        "answer_form": forms.IdentityAnswerForm(),
        "return_form": forms.ReturnForm(initial={"on": today, "receiving_division": obj.home_division}),
        "end_form": forms.EndForm(initial={"on": today}),
    }
    return render(request, "rescue/stay.html", context)


@require_POST
@role_required(access.can_work_stays)
def stay_act(request: HttpRequest, pk: int, act: str) -> HttpResponse:
    obj = access.access_stay(request.user, pk)
    user: Any = request.user
    ip = client_ip(request)
    form_class = {
        "extend": forms.ExtendForm,
        "request": forms.IdentityRequestForm,
        "answer": forms.IdentityAnswerForm,
        "return": forms.ReturnForm,
        "end": forms.EndForm,
    }.get(act)
    if form_class is None:
        raise Http404("没有这项操作")
    form = form_class(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("rescue:stay", pk=obj.pk)
    d = form.cleaned_data
    try:
        if act == "extend":
            services.stay_extend(
                obj, reason=d["reason"], planned_leave_on=d["planned_leave_on"], actor=user, client_ip=ip
            )
        elif act == "request":
            services.identity_request(obj, method=d["method"], actor=user)
        elif act == "answer":
            req = IdentityRequest.objects.filter(stay=obj, pk=request.POST.get("request_id"), answered_on=None).first()
            if req is None:
                raise Http404("比对申请不存在")
            _looked_up(request, "身份比对结果", d["id_number"])
            services.identity_answer(req, result=d["result"], id_number=d["id_number"], note=d["note"], actor=user)
        elif act == "return":
            services.stay_return(obj, services.Return(**d), actor=user, client_ip=ip)
        else:
            services.stay_end(obj, d["to"], reason=d["reason"], on=d["on"], actor=user, client_ip=ip)
    except ERRORS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已保存")
    return redirect("rescue:stay", pk=obj.pk)


@role_required(access.can_work_stays)
def photo(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """A photo for 寻亲, read back verified and audited (documents kernel)."""
    obj = access.access_stay(request.user, pk)
    found = Attachment.objects.filter(owner_type="rescue_stay", owner_id=str(obj.pk), pk=attachment_id).first()
    if found is None:
        raise Http404("附件不存在")
    data = attachment_read(found, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
    return HttpResponse(data, content_type=found.content_type)


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", LedgerEntry.Kind.RETURNED)
    return kind if kind in LedgerEntry.Kind.values else LedgerEntry.Kind.RETURNED


@role_required(access.can_read_ledgers)
def ledger_list(request: HttpRequest) -> HttpResponse:
    kind = _kind(request)
    division = request.GET.get("division", "")
    division = division if division.isdigit() else ""
    context = {
        "kind": kind,
        "kinds": LedgerEntry.Kind.choices,
        "division": division,
        "towns": selectors.ledger_counts(request.user, kind),
        "closed": request.GET.get("closed") == "1",
        "rows": selectors.ledger_rows(request.user, kind, division, closed=request.GET.get("closed") == "1"),
    }
    return render(request, "rescue/ledger.html", context)


@role_required(access.can_read_ledgers)
def ledger_export(request: HttpRequest) -> HttpResponse:
    name, data = exports.ledger_xlsx(request.user, _kind(request), client_ip=client_ip(request))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@role_required(access.can_read_ledgers)
def due(request: HttpRequest) -> HttpResponse:
    return render(request, "rescue/due.html", {"rows": selectors.due_rows(request.user), "today": timezone.localdate()})


@role_required(access.can_read_ledgers)
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.access_entry(request.user, pk)
    ledger.entry_read(obj, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
    context = {
        "m": selectors.masked(obj),
        "followups": obj.followups.all(),
        "form": forms.FollowUpForm(initial={"visited_on": timezone.localdate()}),
        "close_form": forms.CloseForm(),
    }
    return render(request, "rescue/entry.html", context)


@require_POST
@role_required(access.can_read_ledgers)
def followup(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.access_entry(request.user, pk)
    form = forms.FollowUpForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("rescue:entry", pk=obj.pk)
    try:
        done = ledger.followup_record(
            obj,
            ledger.Visit(**form.cleaned_data),
            actor=request.user,
            client_ip=client_ip(request),  # type: ignore[arg-type]
        )
    except ERRORS as exc:
        messages.error(request, str(exc))
        return redirect("rescue:entry", pk=obj.pk)
    extra = "，已转乡镇待办" if done.need else ""
    messages.success(request, f"已登记回访，下次回访 {obj.next_due_on}{extra}")
    return redirect("rescue:due")


@require_POST
@role_required(access.can_read_ledgers)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.access_entry(request.user, pk)
    try:
        ledger.entry_close(obj, reason=request.POST.get("reason", ""), actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
    except ERRORS as exc:
        messages.error(request, str(exc))
    return redirect("rescue:entry", pk=obj.pk)


@role_required(lambda u: access.can_read_ledgers(u) and u.role in access.CONTACTS)
def wander_new(request: HttpRequest) -> HttpResponse:
    form = forms.WanderForm(request.POST or None, initial={"division_code": request.user.jurisdiction.ljust(12, "0")})  # type: ignore[union-attr]
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            fields = {k: d[k] for k in ("name", "id_number", "phone", "address", "division_code")}
            who = ledger.Who(**fields, risks=list(d["risks"]))
            try:
                _looked_up(request, "易流浪走失人员登记", d["id_number"])
                who.person = ledger.registry_person(d["id_number"])
                obj = ledger.wander_register(who, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
            except ERRORS as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已列入易流浪走失人员台账：{obj.name}")
                return redirect("rescue:entry", pk=obj.pk)
        else:
            _errors(request, form)
    return render(request, "rescue/wander_new.html", {"form": form})
