"""一件事 pages: the window's one form, the event ledger with monthly counts and export, one event
with its tasks, proofs and benefit changes, and the family's progress page (token link, no account).

Thin: access (404 outside the jurisdiction) → services → templates. Every read of an event is audited.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import audit_record, client_ip
from minzheng.core.decorators import role_required
from minzheng.core.masking import mask_id_number, mask_name, mask_phone
from minzheng.lifeevents import access, exports, selectors, services, services_benefits, services_proofs
from minzheng.lifeevents.forms import EventForm
from minzheng.lifeevents.models import BenefitChange, Kind, LifeEvent
from minzheng.payments.programmes import programme
from minzheng.registry.access import access_person
from minzheng.registry.services import LookupRefused, numbers_lookup
from minzheng.workflow.services import history

KINDS = dict(Kind.choices)


def _read(request: HttpRequest, event: LifeEvent, via: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=request.user if request.user.is_authenticated else None,
            action="view",
            object_type="life_event",
            object_id=event.pk,
            client_ip=client_ip(request),
            summary=f"查看{event.get_kind_display()} {event.case.case_no}（{via}）",
        )


@role_required(access.can_open)
def window(request: HttpRequest) -> HttpResponse:
    """Find the person (the registry's audited search), then the one form; drafts from department data first."""
    kind = request.GET.get("kind", "death")
    kind = kind if kind in KINDS else "death"
    context: dict[str, Any] = {"kind": kind, "kinds": Kind.choices, "q": request.GET.get("q", "").strip()}
    context["drafts"] = selectors.event_rows(request.user, status="registered", limit=50)
    if context["q"]:
        context.update(_search(request, context["q"]))
    pid = request.GET.get("person", "")
    if pid.isdigit():
        person = access_person(request.user, int(pid))
        draft = LifeEvent.objects.filter(kind=kind, person=person, case__status="registered").first()
        initial = {"kind": kind, "person": person.pk, **(draft.facts if draft else {})}
        context.update(person=person, draft=draft, form=EventForm(initial=initial))
    return render(request, "lifeevents/window.html", context)


def _search(request: HttpRequest, q: str) -> dict[str, Any]:
    from minzheng.registry.selectors import PersonRow
    from minzheng.registry.services import SearchRateLimited, person_search_run

    try:
        found = person_search_run(actor=request.user, q=q, client_ip=client_ip(request), via="window")  # type: ignore[arg-type]
    except SearchRateLimited as exc:
        return {"search_note": str(exc)}
    rows = [PersonRow.of(p, today=timezone.localdate()) for p in found.persons]
    return {"found": rows, "search_note": found.refused or ("" if rows else "没有找到，请换一种查法")}


@require_POST
@role_required(access.can_open)
def event_open(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST)
    back = f"/lifeevents/window/?kind={request.POST.get('kind', '')}&person={request.POST.get('person', '')}"
    if not form.is_valid():
        for name, errs in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))
        return redirect(back)
    person = access_person(request.user, form.cleaned_data["person"])
    try:
        facts = form.facts()
        numbers = [str(facts.get("partner_id_number") or "")]
        numbers_lookup(actor=request.user, numbers=numbers, purpose="一件事受理", client_ip=client_ip(request))  # type: ignore[arg-type]
        event = services.event_open(
            kind=form.cleaned_data["kind"],
            person=person,
            facts=facts,
            reporter=form.reporter(),
            actor=request.user,
            client_ip=client_ip(request),  # type: ignore[arg-type]
        )
    except (services.LifeEventError, LookupRefused) as exc:
        messages.error(request, str(exc))
        return redirect(back)
    asked = len(services_proofs.missing(event))
    messages.success(
        request,
        f"已受理 {event.case.case_no}：{event.tasks.exclude(status='na').count()} 个部门事项已分派"
        + (f"，需家属补交材料 {asked} 项" if asked else "，无需家属再提交材料"),
    )
    return redirect("lifeevents:event", pk=event.pk)


@role_required(access.can_read_events)
def events(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    context = {
        "rows": selectors.event_rows(request.user, kind=kind if kind in KINDS else "", status=status),
        "kind": kind,
        "status": status,
        "kinds": Kind.choices,
        "months": selectors.monthly_counts(request.user),
    }
    return render(request, "lifeevents/events.html", context)


@role_required(access.can_read_events)
def export(request: HttpRequest) -> HttpResponse:
    name, data = exports.events_xlsx(request.user, client_ip=client_ip(request))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _changes(event: LifeEvent) -> list[dict[str, Any]]:
    return [
        {"change": c, "programme": programme(c.programme).name}
        for c in event.benefit_changes.select_related("entitlement").order_by("pk")
    ]


@role_required(access.can_read_events)
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.access_event(request.user, pk)
    _read(request, event, "工作人员")
    user: Any = request.user
    context = {
        "event": event,
        "name": mask_name(event.person.name),
        "id_number": mask_id_number(event.person.id_number),
        "reporter_phone": mask_phone(event.reporter_phone),
        "stage": selectors.stage_label(event),
        "tasks": selectors.tasks_of(event),
        "proofs": event.case.materials.filter(key__startswith=services_proofs.PREFIX).order_by("pk"),
        "changes": _changes(event),
        "may_decide": user.role == "town_officer",
        "may_receive": access.can_open(user),
        "family_link": request.build_absolute_uri(f"/lifeevents/family/{event.token}/"),
        "history": history(event.case),
        "records": event.records.order_by("pk"),
    }
    return render(request, "lifeevents/event.html", context)


@require_POST
@role_required(access.can_open)
def proof_receive(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.access_event(request.user, pk)
    try:
        material = services_proofs.proof_receive(
            event, request.POST.get("key", ""), actor=request.user, client_ip=client_ip(request)
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已收取：{material.label}")
    return redirect("lifeevents:event", pk=event.pk)


@require_POST
@role_required(lambda u: access.can_read_events(u) and u.role == "town_officer")
def change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(BenefitChange.objects.select_related("event"), pk=pk)
    event = access.access_event(request.user, change.event_id)  # 404 outside the jurisdiction
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("decision") == "dismiss":
            services_benefits.change_dismiss(change, actor=request.user, reason=reason, client_ip=client_ip(request))  # type: ignore[arg-type]
        else:
            services_benefits.change_apply(change, actor=request.user, reason=reason, client_ip=client_ip(request))  # type: ignore[arg-type]
    except (services_benefits.BenefitError, ValueError) as exc:
        messages.error(request, str(exc))
    else:
        change.refresh_from_db()
        messages.success(request, f"{programme(change.programme).name}：{change.get_status_display()}。{change.note}")
    return redirect("lifeevents:event", pk=event.pk)


def family(request: HttpRequest, token: str) -> HttpResponse:
    """The family's progress page: this one event only, names masked, no account needed."""
    try:
        event = access.access_family(token)
    except access.FamilyLinkExpired:
        return render(request, "lifeevents/family_expired.html", status=410)
    _read(request, event, "家属进度页")
    tasks = [r for r in selectors.tasks_of(event) if r["task"].status != "na"]
    context = {
        "event": event,
        "name": mask_name(event.person.name),
        "stage": selectors.stage_label(event),
        "tasks": tasks,
        "done": sum(1 for r in tasks if r["task"].status == "done"),
        "missing": services_proofs.missing(event),
        "fetched": event.case.materials.filter(key__startswith=services_proofs.PREFIX, status="fetched").count(),
    }
    return render(request, "lifeevents/family.html", context)
