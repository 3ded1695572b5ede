"""预警叫应 pages: warnings and the village contacts (the office issues, the village adds contacts), a
warning's call list for the caller's area with one-tap 已接通 / 未接通, and the number shown on request
(audited, as every unmasking is)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.audit.services import audit_record, client_ip
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import prefix_q
from minzheng.core.masking import mask_name, mask_phone
from minzheng.disaster import access, forms, selectors
from minzheng.disaster import services_warning as warn
from minzheng.disaster.models import Contact
from minzheng.disaster.services import DisasterError
from minzheng.disaster.views import _errors


@role_required(access.can_read)
def warnings(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    mine = list(access.warnings_visible_to(user).order_by("-issued_at")[:30])
    if len(user.jurisdiction) > 6:
        mine = [w for w in mine if access.touches(w.areas, user.jurisdiction)]
    rows = []
    for w in mine:
        calls = access.calls_visible_to(user).filter(warning=w)
        rows.append({"warning": w, "total": calls.count(), "answered": calls.filter(answered_at__isnull=False).count()})
    contacts = Contact.objects.filter(prefix_q("division_code", user.jurisdiction), active=True).order_by(
        "division_code"
    )
    context = {
        "rows": rows,
        "contacts": [(c, mask_name(c.name), mask_phone(c.phone)) for c in contacts[:200]],
        "can_run": access.can_run(user),
        "can_report": access.can_report(user),
        "warning_form": forms.WarningForm(),
        "contact_form": forms.ContactForm(
            initial={"village": user.jurisdiction if len(user.jurisdiction) == 12 else ""}
        ),
    }
    return render(request, "disaster/warnings.html", context)


@require_POST
@role_required(access.can_run)
def warning_new(request: HttpRequest) -> HttpResponse:
    form = forms.WarningForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("disaster:warnings")
    d = form.cleaned_data
    try:
        w = warn.warning_issue(
            title=d["title"], level=d["level"], areas=form.area_list(), minutes=d["minutes"], event=None,
            actor=request.user, client_ip=client_ip(request),
        )  # fmt: skip
    except DisasterError as exc:
        messages.error(request, str(exc))
        return redirect("disaster:warnings")
    messages.success(request, f"已发布预警，须叫应 {w.calls.count()} 人")
    return redirect("disaster:warning", pk=w.pk)


@require_POST
@role_required(access.can_report)
def contact_new(request: HttpRequest) -> HttpResponse:
    form = forms.ContactForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            warn.contact_add(
                d["village"].strip(), name=d["name"], phone=d["phone"], role=d["role"], actor=request.user,
                client_ip=client_ip(request),
            )  # fmt: skip
        except DisasterError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记预警联系人")
    else:
        _errors(request, form)
    return redirect("disaster:warnings")


@role_required(access.can_read)
def warning(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    w = access.access_warning(user, pk)
    calls = access.calls_visible_to(user).filter(warning=w)
    shown = request.session.pop("disaster_shown", None)
    rows = selectors.call_rows(calls)
    for row in rows:
        if shown and shown.get("call") == row["call"].pk:
            row["full_phone"] = shown["phone"]
    context = {"warning": w, "rows": rows, "can_report": access.can_report(user)}
    return render(request, "disaster/warning.html", context)


@require_POST
@role_required(access.can_report)
def call(request: HttpRequest, pk: int) -> HttpResponse:
    c = access.access_call(request.user, pk)
    try:
        warn.call_record(
            c, answered=request.POST.get("answered") == "1", note=request.POST.get("note", ""),
            actor=request.user, client_ip=client_ip(request),
        )  # fmt: skip
    except DisasterError as exc:
        messages.error(request, str(exc))
    return redirect("disaster:warning", pk=c.warning_id)


@require_POST
@role_required(access.can_report)
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full number of one contact, to call it: shown once on the next page, audited."""
    c = access.access_call(request.user, pk)
    audit_record(
        actor=request.user, action="unmask", object_type="disaster_warning", object_id=c.warning_id,
        summary=f"查看预警联系人 {mask_name(c.contact.name)} 的电话以叫应", reason="预警叫应",
        client_ip=client_ip(request),
    )  # fmt: skip
    request.session["disaster_shown"] = {"call": c.pk, "phone": c.contact.phone}
    return redirect("disaster:warning", pk=c.warning_id)
