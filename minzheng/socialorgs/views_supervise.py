"""Supervision pages: 双随机 batches (create, draw once, see the saved result and its replay check),
inspection records and findings, 打非 leads, and the 组织力指数 ranking with its explanations."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.sheets import Sheet
from minzheng.socialorgs import access, draw, selectors, strength_facts
from minzheng.socialorgs import services_supervise as supervise
from minzheng.socialorgs.flow import LEAD
from minzheng.socialorgs.forms import BatchForm, InspectionForm, LeadForm, ReasonForm, errors_text
from minzheng.socialorgs.models import DrawBatch, Finding, Inspection, Lead
from minzheng.socialorgs.views import Refused, _act, xlsx_response
from minzheng.workflow.services import history


@role_required(access.can_read)
def draws(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and access.can_work(request.user):
        if form.is_valid():
            d = form.cleaned_data
            ratio = int(d["ratio"] * 10) if d.get("ratio") else None
            try:
                batch = draw.batch_create(
                    name=d["name"],
                    year=d["year"],
                    ratio_permille=ratio,
                    actor=request.user,
                    client_ip=client_ip(request),
                )
            except Refused as exc:
                messages.error(request, str(exc))
            else:
                return redirect("socialorgs:draw", pk=batch.pk)
        else:
            messages.error(request, errors_text(form))
    batches = access.scoped(request.user, DrawBatch.objects.order_by("-pk"))
    return render(
        request, "socialorgs/draws.html", {"form": form, "batches": batches, "writable": access.can_work(request.user)}
    )


def _batch(request: HttpRequest, pk: int) -> DrawBatch:
    batch = access.scoped(request.user, DrawBatch.objects.all()).filter(pk=pk).first()
    if batch is None:
        raise Http404("抽查批次不存在")
    return batch


@role_required(access.can_read)
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if request.method == "POST" and access.can_work(request.user):
        _act(
            request,
            lambda: draw.batch_draw(batch, actor=request.user, client_ip=client_ip(request)),
            "已抽取，结果与随机种子已保存",
        )
        return redirect("socialorgs:draw", pk=pk)
    context = {
        "batch": batch,
        "inspections": batch.inspections.select_related("org").order_by("org__credit_code"),
        "replayed": draw.replay(batch),
        "pool": len(batch.pool_orgs),
        "writable": access.can_work(request.user),
    }
    return render(request, "socialorgs/draw.html", context)


@role_required(access.can_read)
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = access.scoped(request.user, Inspection.objects.select_related("org", "batch")).filter(pk=pk).first()
    if inspection is None:
        raise Http404("检查记录不存在")
    form = InspectionForm(request.POST or None, initial={"inspected_on": timezone.localdate()})
    if request.method == "POST" and access.can_work(request.user):
        if request.POST.get("step") == "publish":
            _act(
                request,
                lambda: supervise.inspection_publish(inspection, actor=request.user, client_ip=client_ip(request)),
                "已公开抽查结果",
            )
        elif form.is_valid():
            d = form.cleaned_data
            found = [supervise.Found(d["area"], d["finding"])] if d.get("area") or d.get("finding") else []
            _act(
                request,
                lambda: supervise.inspection_record(
                    inspection, method=d["method"], on=d["inspected_on"], result=d["result"], note=d["note"],
                    findings=found, actor=request.user, client_ip=client_ip(request),
                ),
                "已登记检查结果",
            )  # fmt: skip
        else:
            messages.error(request, errors_text(form))
        return redirect("socialorgs:inspection", pk=pk)
    context = {"inspection": inspection, "form": form, "writable": access.can_work(request.user)}
    return render(request, "socialorgs/inspection.html", context)


@require_POST
@role_required(access.can_work)
def finding_done(request: HttpRequest, pk: int) -> HttpResponse:
    finding = Finding.objects.filter(
        pk=pk, inspection__in=access.scoped(request.user, Inspection.objects.all())
    ).first()
    if finding is None:
        raise Http404("问题不存在")
    today = timezone.localdate()
    _act(
        request,
        lambda: supervise.finding_rectified(finding, on=today, actor=request.user, client_ip=client_ip(request)),
        "已登记整改完成",
    )
    return redirect("socialorgs:inspection", pk=finding.inspection_id)


@role_required(access.can_read)
def leads(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None, initial={"reported_on": timezone.localdate()})
    if request.method == "POST" and access.can_work(request.user):
        if form.is_valid():
            d = form.cleaned_data
            try:
                lead = supervise.lead_create(
                    name=d["name"], source=d["source"], description=d["description"], division_code=d["division_code"],
                    on=d["reported_on"], actor=request.user, client_ip=client_ip(request),
                )  # fmt: skip
            except Refused as exc:
                messages.error(request, str(exc))
            else:
                return redirect("socialorgs:lead", pk=lead.pk)
        else:
            messages.error(request, errors_text(form))
    rows = [
        (lead, LEAD.state_label(lead.status))
        for lead in access.scoped(request.user, Lead.objects.order_by("-pk"))[:200]
    ]
    return render(
        request, "socialorgs/leads.html", {"form": form, "rows": rows, "writable": access.can_work(request.user)}
    )


@role_required(access.can_read)
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = access.scoped(request.user, Lead.objects.all()).filter(pk=pk).first()
    if lead is None:
        raise Http404("线索不存在")
    if request.method == "POST" and access.can_decide(request.user):
        to, reason, finding = (
            request.POST.get("to", ""),
            request.POST.get("reason", ""),
            request.POST.get("finding", ""),
        )
        _act(
            request,
            lambda: supervise.lead_step(
                lead, to, actor=request.user, reason=reason, finding=finding, client_ip=client_ip(request)
            ),
            "已办理",
        )
        return redirect("socialorgs:lead", pk=pk)
    steps = [(t.target, t.action) for t in LEAD.allowed_from(lead.status)]
    context = {"lead": lead, "state": LEAD.state_label(lead.status), "steps": steps, "history": history(lead),
               "reason_form": ReasonForm(), "writable": access.can_decide(request.user)}  # fmt: skip
    return render(request, "socialorgs/lead.html", context)


@role_required(access.can_read)
def strength(request: HttpRequest) -> HttpResponse:
    """组织力指数 of every organisation on the register, best first; 待核对 rules counted, never as 0."""
    today = timezone.localdate()
    rows = strength_facts.scores(selectors.registered_orgs(request.user.jurisdiction), today)
    rows.sort(key=lambda r: (-r[1].score, r[0].name))
    if request.GET.get("export") == "xlsx":
        cells = [[o.name, o.credit_code, r.score, *(g for _, g, _ in r.by_dimension), len(r.unknown)] for o, r in rows]
        head = ["名称", "统一社会信用代码", "组织力指数", "活跃度", "规范化", "覆盖率", "影响力", "待核对细则数"]
        return xlsx_response(
            request,
            f"社会组织组织力指数-{today:%Y%m%d}.xlsx",
            [Sheet("组织力指数", head, cells)],
            "socialorg",
            len(cells),
        )
    return render(request, "socialorgs/strength.html", {"rows": rows, "as_of": today})
