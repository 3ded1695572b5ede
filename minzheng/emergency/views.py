"""一键通紧急呼叫: pages. Thin: access + services + selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.eldercare.selectors import elder_by_phone, elder_profile
from minzheng.emergency import access, selectors, services
from minzheng.emergency.forms import CloseForm, DeviceForm, EscalateForm, NoteForm, RedCallForm
from minzheng.emergency.models import LADDER, Rung
from minzheng.registry.services import number_lookup


def _lists(request: HttpRequest) -> dict[str, object]:
    now = timezone.now()
    return {
        "open": selectors.open_incidents(request.user, now),
        "closed": selectors.recent_closed(request.user, now),
        "console": access.can_use_console(request.user),
    }


@role_required(access.can_use_console)
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "emergency/console.html", {**_lists(request), "form": RedCallForm()})


@require_POST
@role_required(access.can_use_console)
def console_poll(request: HttpRequest) -> HttpResponse:
    """The console's poll: display only. The timers are advanced by the scheduler (emergency.ladder)."""
    return render(request, "emergency/console.html#incidents", _lists(request))


@role_required(access.can_read_incidents)
def incidents(request: HttpRequest) -> HttpResponse:
    template = "emergency/incidents.html#incidents" if request.htmx else "emergency/incidents.html"
    return render(request, template, _lists(request))


@require_POST
@role_required(access.can_use_console)
def red_call(request: HttpRequest) -> HttpResponse:
    form = RedCallForm(request.POST)
    elder = elder_by_phone(request.user, form.data.get("phone", "")) if form.is_valid() else None
    if form.is_valid() and elder is None:
        form.add_error("phone", "该号码不是本辖区登记的老人或其紧急联系人")
    if not form.is_valid():
        return render(request, "emergency/console.html", {**_lists(request), "form": form}, status=400)
    alarm = services.alarm_receive(
        actor=request.user,
        kind=form.cleaned_data["kind"],
        elder=elder,
        now=timezone.now(),
        client_ip=client_ip(request),
    )
    return redirect("emergency:incident", incident_id=alarm.incident_id)


def _detail(request: HttpRequest, incident_id: int, **extra: object) -> dict[str, object]:
    incident = access.access_incident(request.user, incident_id)
    services.incident_view(actor=request.user, incident=incident, client_ip=client_ip(request))
    now = timezone.now()
    here = LADDER.index(Rung(incident.rung))
    return {
        "incident": incident,
        "row": selectors.IncidentRow.of(incident, now),
        "profile": elder_profile(incident.elder),
        "alarms": list(incident.alarms.select_related("device")),
        "steps": list(incident.steps.select_related("actor")),
        "console": access.can_use_console(request.user),
        "can_answer": access.can_answer(request.user, incident) and not incident.rung_answered,
        "later_rungs": LADDER[here + 1 :],
        "close_form": CloseForm(),
        **extra,
    }


@role_required(access.can_read_incidents)
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    return render(request, "emergency/incident.html", _detail(request, incident_id))


def _act(request: HttpRequest, incident_id: int, action: str) -> HttpResponse:
    incident = access.access_incident(request.user, incident_id)
    now, ip = timezone.now(), client_ip(request)
    try:
        if action == "answer":
            access.require(access.can_answer(request.user, incident))
            note = NoteForm(request.POST).data.get("note", "")[:300]
            services.incident_answer(actor=request.user, incident=incident, now=now, note=note, client_ip=ip)
        elif action == "escalate":
            access.require(access.can_use_console(request.user))
            form = EscalateForm(request.POST)
            form.is_valid()
            to, note = form.cleaned_data.get("to") or None, form.cleaned_data.get("note", "")
            services.incident_escalate(actor=request.user, incident=incident, now=now, to=to, note=note, client_ip=ip)
        else:
            access.require(access.can_use_console(request.user))
            form = CloseForm(request.POST)
            if not form.is_valid():
                ctx = _detail(request, incident_id, close_form=form)
                return render(request, "emergency/incident.html", ctx, status=400)
            data = form.cleaned_data
            services.incident_close(
                actor=request.user, incident=incident, now=now, outcome=data["outcome"], note=data["note"], client_ip=ip
            )
    except services.EmergencyError as exc:
        messages.error(request, str(exc))
    return redirect("emergency:incident", incident_id=incident.pk)


@require_POST
@role_required(access.can_read_incidents)
def incident_answer(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _act(request, incident_id, "answer")


@require_POST
@role_required(access.can_use_console)
def incident_escalate(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _act(request, incident_id, "escalate")


@require_POST
@role_required(access.can_use_console)
def incident_close(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _act(request, incident_id, "close")


@role_required(access.can_register_devices)
def devices(request: HttpRequest) -> HttpResponse:
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        refused = number_lookup(
            actor=request.user, number=data["id_number"], purpose="紧急呼叫终端登记", client_ip=client_ip(request)
        )
        elders = access.elders_for_devices(request.user)
        elder = None if refused else elders.filter(person__id_number=data["id_number"].upper()).first()
        if refused:
            form.add_error("id_number", refused)
        elif elder is None:
            form.add_error("id_number", "本辖区没有该身份号码的居家养老服务对象")
        else:
            try:
                device = services.device_register(
                    actor=request.user,
                    elder=elder,
                    serial=data["serial"],
                    sim_phone=data["sim_phone"],
                    sensors=data["sensors"],
                    installed_on=data["installed_on"],
                    client_ip=client_ip(request),
                )
            except services.EmergencyError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已登记终端 {device.serial}（{elder.person.name}）")
                return redirect("emergency:devices")
    ctx = {"form": form, "devices": selectors.devices_list(request.user)}
    return render(request, "emergency/devices.html", ctx, status=400 if form.errors else 200)
