"""婚姻登记 pages: the day's appointments, booking, registering from a booking (the certificate number),
the records and their export, adoptions. Thin views: access.py scopes (404 outside), services write and audit."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.marriage import access, exports, forms, selectors, services, services_adoption
from minzheng.marriage.models import Kind
from minzheng.workflow.services import TransitionRefused, history

ERRORS = (services.MarriageError, TransitionRefused)


def _errors(request: HttpRequest, form: Any) -> None:
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@role_required(access.can_work)
def appointments(request: HttpRequest) -> HttpResponse:
    day = _day(request.GET.get("on", "")) or (None if request.GET.get("all") else timezone.localdate())
    rows = selectors.appointment_rows(request.user, day)
    for row in rows:
        row["state"] = services.MACHINE.state_label(row["a"].status)
    return render(request, "marriage/appointments.html", {"rows": rows, "day": day})


@role_required(access.can_work)
def appointment_new(request: HttpRequest) -> HttpResponse:
    form = forms.AppointmentForm(request.POST or None, initial={"on": timezone.localdate(), "kind": Kind.MARRY})
    if request.method == "POST":
        if form.is_valid():
            d = dict(form.cleaned_data)
            couple = services.Couple(d.pop("name_a"), d.pop("id_number_a"), d.pop("name_b"), d.pop("id_number_b"))
            user: Any = request.user
            try:
                appt = services.book(couple, **d, office=user.jurisdiction, actor=user)
            except ERRORS as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已预约" if appt.kind == Kind.MARRY else "已受理离婚登记申请，冷静期开始")
                return redirect("marriage:appointment", pk=appt.pk)
        else:
            _errors(request, form)
    return render(request, "marriage/form.html", {"form": form, "title": "登记预约"})


@role_required(access.can_work)
def appointment(request: HttpRequest, pk: int) -> HttpResponse:
    appt = access.access_appointment(request.user, pk)
    user: Any = request.user
    if request.method == "POST":
        try:
            if request.POST.get("act") == "register":
                reg = services.register(appt, actor=user, client_ip=client_ip(request))
                messages.success(request, f"已办理{reg.get_kind_display()}，证书字号 {reg.certificate_no}")
                return redirect("marriage:registration", pk=reg.pk)
            form = forms.CloseForm(request.POST)
            if form.is_valid():
                services.appointment_close(
                    appt, form.cleaned_data["to"], actor=user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "已保存")
            else:
                _errors(request, form)
        except ERRORS as exc:
            messages.error(request, str(exc))
        return redirect("marriage:appointment", pk=appt.pk)
    window = services.cooling_window(appt.applied_on) if appt.applied_on else None
    context = {
        "a": appt,
        "state": services.MACHINE.state_label(appt.status),
        "window": window,
        "history": history(appt),
        "close_form": forms.CloseForm(),
        **selectors.couple(appt),
    }
    return render(request, "marriage/appointment.html", context)


@role_required(access.can_work)
def registrations(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    q = request.GET.get("q", "").strip()
    rows = selectors.registration_rows(request.user, kind, q)
    return render(request, "marriage/registrations.html", {"rows": rows, "kind": kind, "q": q, "kinds": Kind.choices})


@role_required(access.can_work)
def registration(request: HttpRequest, pk: int) -> HttpResponse:
    reg = access.access_registration(request.user, pk)
    services.registration_read(reg, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
    return render(request, "marriage/registration.html", {"r": reg})


@role_required(access.can_work)
def registrations_export(request: HttpRequest) -> HttpResponse:
    name, data = exports.registrations_xlsx(request.user, client_ip=client_ip(request))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@role_required(access.can_work)
def adoptions(request: HttpRequest) -> HttpResponse:
    return render(request, "marriage/adoptions.html", {"rows": selectors.adoption_rows(request.user)})


@role_required(access.can_work)
def adoption_new(request: HttpRequest) -> HttpResponse:
    form = forms.AdoptionForm(request.POST or None, initial={"registered_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            user: Any = request.user
            data = services_adoption.AdoptionData(**form.cleaned_data)
            try:
                row = services_adoption.adoption_register(
                    data, office=user.jurisdiction, actor=user, client_ip=client_ip(request)
                )
            except ERRORS as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已办理收养登记，证书字号 {row.certificate_no}")
                return redirect("marriage:adoptions")
        else:
            _errors(request, form)
    return render(request, "marriage/form.html", {"form": form, "title": "收养登记"})
