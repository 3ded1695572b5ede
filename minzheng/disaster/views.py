"""灾害救助 pages: events, an event's page (figures by town and village, claims, materials, warnings),
the village assessment form (phone), the relief claim form and the event's Excel export.

Thin views: access.py scopes (404 outside), services write and audit, selectors read masked rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.cases.access import can_read_cases
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import prefix_q
from minzheng.disaster import access, exports, forms, selectors, services
from minzheng.disaster.models import Event
from minzheng.divisions.models import Division
from minzheng.registry.access import households_visible_to

OPENERS = {"town_officer", "village_worker"}  # 受理 at the town's window or by the village (cases.services)


def _errors(request: HttpRequest, form: Any) -> None:
    for name, errs in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))


def _event_data(form: forms.EventForm) -> services.EventData:
    d = form.cleaned_data
    return services.EventData(
        name=d["name"], kind=d["kind"], areas=form.area_list(), started_on=d["started_on"], ended_on=d["ended_on"],
        response_level=d["response_level"] or "", level_basis=d["level_basis"], description=d["description"],
    )  # fmt: skip


@role_required(access.can_read)
def events(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    rows = [
        {"event": e, "kind": services.kind_label(e.kind), "totals": selectors.assessment_totals(e, user.jurisdiction)}
        for e in access.events_visible_to(user).order_by("-started_on", "-pk")[:50]
    ]
    return render(request, "disaster/events.html", {"rows": rows, "can_run": access.can_run(user)})


@role_required(access.can_run)
def event_new(request: HttpRequest) -> HttpResponse:
    form = forms.EventForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            try:
                event = services.event_create(_event_data(form), actor=request.user, client_ip=client_ip(request))
            except services.DisasterError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已登记灾害事件：{event.name}")
                return redirect("disaster:event", pk=event.pk)
        else:
            _errors(request, form)
    return render(request, "disaster/event_form.html", {"form": form, "standards": services.standards()})


@role_required(access.can_run)
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = access.access_event(request.user, pk)
    initial = {f: getattr(event, f) for f in ("name", "kind", "started_on", "ended_on", "response_level")}
    initial |= {"level_basis": event.level_basis, "description": event.description, "areas": ",".join(event.areas)}
    form = forms.EventForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.event_update(event, _event_data(form), actor=request.user, client_ip=client_ip(request))
            except services.DisasterError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已更新灾害事件")
                return redirect("disaster:event", pk=event.pk)
        else:
            _errors(request, form)
    return render(
        request, "disaster/event_form.html", {"form": form, "event": event, "standards": services.standards()}
    )


@role_required(access.can_read)
def event(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    obj = access.access_event(user, pk)
    prefix = user.jurisdiction
    context = {
        "event": obj,
        "kind": services.kind_label(obj.kind),
        "level": services.standards()["levels"]["values"].get(obj.response_level, "未启动"),
        "standards": services.standards(),
        "areas": _area_names(obj.areas),
        "totals": (totals := selectors.assessment_totals(obj, prefix)),
        "missing": _not_reported(obj, prefix, totals),
        "claims": selectors.claim_rows(obj, prefix),
        "relief": selectors.relief_totals(obj, prefix),
        "distributions": _with_names(
            obj.distributions.filter(prefix_q("division_code", prefix)).order_by("-issued_on")
        ),
        "warnings": obj.warnings.order_by("-issued_at"),
        "can_run": access.can_run(user),
        "can_report": access.can_report(user),
        "can_claim": user.role in OPENERS,
        "can_cases": can_read_cases(
            user
        ),  # the disaster office reads the claims here, the case pages are social assistance's
    }
    return render(request, "disaster/event.html", context)


def _not_reported(event: Event, prefix: str, totals: dict[str, Any]) -> list[tuple[str, str]]:
    """Villages of the area (in the caller's jurisdiction) with no report yet."""
    from minzheng.disaster.items import area_villages

    done = {v["division_code"] for v in totals["villages"]}
    codes = [c for c in area_villages(event) if c.startswith(prefix) and c not in done]
    known = selectors.names(set(codes))
    return [(c, known.get(c, c)) for c in codes]


def _with_names(rows: Any) -> list[tuple[Any, str]]:
    rows = list(rows.select_related("warehouse"))
    known = selectors.names({r.division_code for r in rows})
    return [(r, known.get(r.division_code, r.division_code)) for r in rows]


def _area_names(codes: list[str]) -> list[tuple[str, str]]:
    known = selectors.names(set(codes))
    return [(c, known.get(c.ljust(12, "0"), c)) for c in codes]


def _villages(event: Event, prefix: str) -> list[tuple[str, str]]:
    rows = Division.objects.filter(level=5).filter(prefix_q("code", prefix)).order_by("code")
    return [(c, n) for c, n in rows.values_list("code", "name") if services.in_area(event, c)]


@role_required(access.can_report)
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    """首报 / 续报 of a village's figures (a phone form for the village's 灾害信息员)."""
    user: Any = request.user
    obj = access.access_event(user, pk)
    villages = _villages(obj, user.jurisdiction)
    form = forms.AssessmentForm(request.POST or None, villages=villages)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            figures = {k: d[k] for k in services.INDICATORS}
            loss = int((Decimal(d["loss_yuan"]) * 100).to_integral_value())
            try:
                row = services.assessment_report(
                    obj, d["village"], figures, loss_fen=loss, note=d["note"], actor=user, client_ip=client_ip(request)
                )
            except services.DisasterError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已报送 {dict(villages).get(row.division_code)} 灾情（第 {row.version} 次）")
                return redirect("disaster:event", pk=obj.pk)
        else:
            _errors(request, form)
    return render(request, "disaster/assess.html", {"event": obj, "form": form})


@role_required(lambda u: access.can_report(u) and u.role in OPENERS)
def claim_new(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    obj = access.access_event(user, pk)
    form = forms.ClaimForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            household = households_visible_to(user).filter(household_no=d["household_no"].strip()).first()
            if household is None:
                messages.error(request, f"户编号：{d['household_no']} 不在您的管辖范围内")
            else:
                data = services.ClaimData(household=household, **{k: v for k, v in d.items() if k != "household_no"})
                try:
                    claim = services.claim_open(obj, data, actor=user, client_ip=client_ip(request))
                except services.DisasterError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, f"已受理 {claim.case.case_no}，请在案件页办理入户核查等环节")
                    return redirect("cases:detail", case_no=claim.case.case_no)
        else:
            _errors(request, form)
    return render(request, "disaster/claim_form.html", {"event": obj, "form": form})


@require_POST
@role_required(access.can_read)
def export(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    obj = access.access_event(user, pk)
    name, data = exports.event_xlsx(user, obj, client_ip=client_ip(request))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
