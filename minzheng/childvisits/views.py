"""Phone-first pages of 儿童主任 and 儿童督导员: whom to visit and when, the visit form, counts.

The visit form is marked data-gps / data-offline for eldercare/door.js (generic: GPS, the phone's
time, a localStorage queue sent when back online); it answers JSON to the script, a redirect to a
plain form post.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.childvisits import access, selectors, services
from minzheng.childvisits.forms import PhotoForm, VisitForm
from minzheng.childvisits.models import ChildVisit
from minzheng.childvisits.plans import CATEGORY_LABELS
from minzheng.core.decorators import role_required
from minzheng.core.masking import mask_name
from minzheng.documents.services import AttachmentError


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@role_required(access.can_read)
def plan(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [
        {"plan": p, "name": mask_name(p.child.person.name), "label": CATEGORY_LABELS.get(p.category, p.category),
         "overdue": p.next_due_on < today, "days": (p.next_due_on - today).days, "late": (today - p.next_due_on).days}
        for p in selectors.plans_for(request.user)[:500]
    ]  # fmt: skip
    return render(request, "childvisits/plan.html", {"rows": rows, "today": today})


@role_required(access.can_read)
def child(request: HttpRequest, child_id: int) -> HttpResponse:
    cf = access.access_child(request.user, child_id)
    services.child_view(actor=request.user, child=cf, client_ip=client_ip(request))
    visits = list(selectors.visits_of(request.user, cf)[:50])
    context = {
        "child": cf,
        "plan": getattr(cf, "visit_plan", None),
        "visits": [{"v": v, "photos": services.visit_photos(v), "who": _who(v)} for v in visits],
        "form": VisitForm(),
        "photo_form": PhotoForm(),
        "can_visit": access.can_visit(request.user),
        "labels": CATEGORY_LABELS,
    }
    return render(request, "childvisits/child.html", context)


def _who(v: ChildVisit) -> str:
    return (v.visitor.display_name or v.visitor.username) if v.visitor else "—"


def _answer(request: HttpRequest, child_id: int, ok: bool, text: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": ok, "error": "" if ok else text}, status=200)
    (messages.success if ok else messages.error)(request, text)
    return redirect("childvisits:child", child_id=child_id)


@require_POST
@role_required(access.can_visit)
def visit(request: HttpRequest, child_id: int) -> HttpResponse:
    cf = access.access_child(request.user, child_id)
    form = VisitForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        return _answer(request, cf.pk, False, f"{label}：{errors[0]}" if label else errors[0])
    c = form.cleaned_data
    try:
        services.visit_record(
            actor=request.user, child=cf, observed=c["observed"], findings=c["findings"], latitude=c.get("lat"),
            longitude=c.get("lng"), client_at=c.get("client_at"), parent_change=c.get("parent_change") or "",
            parent_situation=(c["parent"], c["parent_situation"]) if c.get("parent") else None,
            client_ip=client_ip(request),
        )  # fmt: skip
    except services.VisitError as exc:
        return _answer(request, cf.pk, False, str(exc))
    return _answer(request, cf.pk, True, f"已记录对 {mask_name(cf.person.name)} 的走访")


@require_POST
@role_required(access.can_visit)
def photo(request: HttpRequest, child_id: int, visit_id: int) -> HttpResponse:
    cf = access.access_child(request.user, child_id)
    v = ChildVisit.objects.filter(child=cf, pk=visit_id).first()
    if v is None:
        raise Http404("走访记录不存在")
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _answer(request, cf.pk, False, "请选择走访照片")
    upload = form.cleaned_data["photo"]
    try:
        services.visit_photo_add(
            actor=request.user, visit=v, upload=upload, filename=upload.name, client_ip=client_ip(request)
        )
    except AttachmentError as exc:
        return _answer(request, cf.pk, False, f"走访照片：{exc}")
    return _answer(request, cf.pk, True, "已上传走访照片")


@role_required(access.can_read)
def counts(request: HttpRequest) -> HttpResponse:
    context = {"towns": selectors.counts(request.user, 9), "villages": selectors.counts(request.user, 12)}
    return render(request, "childvisits/counts.html", context)
