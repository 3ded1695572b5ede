"""殡葬 pages: cremations (the funeral officer's list and form, the file with the ashes' moves), burials
(list by type, form, the file with the rules engine's decisions and the payment) and the Excel export.

Thin views: access.py scopes (404 outside), services write and audit, selectors read masked lists.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import prefix_q
from minzheng.funeral import access, exports, forms, selectors, services, services_award
from minzheng.funeral.models import BurialType, Plot
from minzheng.registry.services import LookupRefused, numbers_lookup
from minzheng.workflow.services import TransitionRefused

ERRORS = (services.FuneralError, TransitionRefused, LookupRefused)


def _errors(request: HttpRequest, form: Any) -> None:
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))


def _user(request: HttpRequest) -> Any:
    return request.user


def _looked_up(request: HttpRequest, purpose: str, *numbers: str) -> None:
    """The typed numbers, audited and rate-limited before the service looks them up (LookupRefused)."""
    numbers_lookup(actor=_user(request), numbers=numbers, purpose=purpose, client_ip=client_ip(request))


@role_required(access.can_work)
def home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    return render(request, "funeral/home.html", {"rows": selectors.cremation_rows(request.user, q), "q": q})


@role_required(access.can_work)
def cremation_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = forms.CremationForm(request.POST or None, initial={"cremated_on": today})
    if request.method == "POST":
        if form.is_valid():
            data = services.CremationData(**form.cleaned_data)
            try:
                _looked_up(request, "火化登记", data.id_number, data.family_id_number)
                obj = services.cremation_record(data, actor=_user(request), client_ip=client_ip(request))
            except ERRORS as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已登记火化，已通知身后一件事")
                return redirect("funeral:cremation", pk=obj.pk)
        else:
            _errors(request, form)
    return render(request, "funeral/form.html", {"form": form, "title": "火化登记"})


@role_required(access.can_work)
def cremation(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.access_cremation(request.user, pk)
    services.record_read(obj, actor=_user(request), client_ip=client_ip(request))
    context = {
        "c": obj,
        "events": obj.ashes_events.all(),
        "awards": selectors.awards_of(obj.person),
        "burial": getattr(obj, "burial", None),
        "form": forms.AshesForm(initial={"on": timezone.localdate(), "state": "taken"}),
    }
    return render(request, "funeral/cremation.html", context)


@require_POST
@role_required(access.can_work)
def ashes(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.access_cremation(request.user, pk)
    form = forms.AshesForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        try:
            services.ashes_move(obj, services.AshesMove(**form.cleaned_data), actor=_user(request))
        except ERRORS as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记骨灰去向")
    return redirect("funeral:cremation", pk=obj.pk)


@role_required(access.can_read)
def burials(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("type", "")
    kind = kind if kind in BurialType.values else ""
    rows = selectors.burial_rows(request.user, kind)
    return render(request, "funeral/burials.html", {"rows": rows, "type": kind, "types": BurialType.choices})


@role_required(access.can_work)
def burial_new(request: HttpRequest) -> HttpResponse:
    initial = {"buried_on": timezone.localdate(), "id_number": request.GET.get("id", "")}
    form = forms.BurialForm(request.POST or None, initial=initial)
    plots = Plot.objects.filter(prefix_q("cemetery__division_code", _user(request).jurisdiction[:6]))
    form.fields["plot"].queryset = plots.filter(state__in=(Plot.State.FREE, Plot.State.RESERVED)).select_related(  # type: ignore[attr-defined]
        "cemetery"
    )
    if request.method == "POST":
        if form.is_valid():
            data = services.BurialData(**form.cleaned_data)
            try:
                _looked_up(request, "安葬登记", data.id_number, data.payee_id_number)
                obj = services.burial_record(data, actor=_user(request), client_ip=client_ip(request))
            except ERRORS as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已登记安葬；补助与奖励已由规则判定")
                return redirect("funeral:burial", pk=obj.pk)
        else:
            _errors(request, form)
    return render(request, "funeral/form.html", {"form": form, "title": "安葬登记"})


@role_required(access.can_read)
def burial(request: HttpRequest, pk: int) -> HttpResponse:
    obj = access.access_burial(request.user, pk)
    services.record_read(obj, actor=_user(request), client_ip=client_ip(request))
    context = {"b": obj, "awards": selectors.awards_of(obj.person), "can_work": access.can_work(request.user)}
    return render(request, "funeral/burial.html", context)


@require_POST
@role_required(access.can_work)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the rules engine again (a 待核对 decision after the missing fact was recorded)."""
    obj = access.access_burial(request.user, pk)
    try:
        services_award.decide(obj.person, actor=_user(request))
    except ERRORS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已重新判定")
    return redirect("funeral:burial", pk=obj.pk)


@role_required(access.can_read)
def burials_export(request: HttpRequest) -> HttpResponse:
    name, data = exports.burials_xlsx(request.user, client_ip=client_ip(request))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
