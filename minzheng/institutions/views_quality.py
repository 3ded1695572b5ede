"""Quality and money pages: star ratings, inspections with findings and rectification, and the monthly
operating subsidy sheet (built by the county, approved by another person)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.dates import parse_month
from minzheng.core.decorators import role_required
from minzheng.core.masking import mask_name
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.institutions import access, services, subsidy
from minzheng.institutions import services_quality as quality
from minzheng.institutions.forms import PlanForm, RatingForm, RecordForm
from minzheng.institutions.models import SubsidyMonth, level_label
from minzheng.institutions.views import xlsx_response
from minzheng.workflow.services import TransitionRefused, history


@role_required(access.can_register)
def rating_new(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution(request.user, pk)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            quality.rating_record(
                inst, visited_on=d["visited_on"], assessors=d["assessors"], scores=form.scores(),
                prerequisites_met=d["prerequisites_met"], note=d["note"], actor=request.user,  # type: ignore[arg-type]
                client_ip=client_ip(request),
            )  # fmt: skip
        except quality.QualityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已记录等级评定")
            return redirect("institutions:detail", pk=inst.pk)
    levels = quality.criteria()["levels"]
    note = (
        "等级分数线："
        + "，".join(f"{k} 级 ≥ {v} 分" for k, v in levels.items())
        + "（GB/T 37276-2018，按省级细则核定）"
    )
    return render(
        request, "institutions/form.html", {"form": form, "title": f"{inst.name} 等级评定", "inst": inst, "note": note}
    )


@role_required(access.can_supervise)
def inspection_plan(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution(request.user, pk)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        insp = quality.inspection_plan(inst, kind=d["kind"], planned_on=d["planned_on"], actor=request.user,  # type: ignore[arg-type]
                                       client_ip=client_ip(request))  # fmt: skip
        return redirect("institutions:inspection", pk=insp.pk)
    return render(request, "institutions/form.html", {"form": form, "title": f"{inst.name} 安排检查", "inst": inst})


@role_required(access.can_read)
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    insp = access.access_inspection(request.user, pk)
    form = RecordForm(request.POST or None)
    if request.method == "POST":
        try:
            _act(request, insp, form)
        except (quality.QualityError, TransitionRefused) as exc:
            messages.error(request, str(exc))
        else:
            return redirect("institutions:inspection", pk=insp.pk)
    findings = [{"f": f, "deadline": quality.deadline_text(f.rectify_by)} for f in insp.findings.all()]
    context = {
        "insp": insp, "findings": findings, "form": form, "history": history(insp),
        "state": quality.MACHINE.state_label(insp.status), "due": quality.deadline_text(insp.due_on),
        "can_supervise": access.can_supervise(request.user), "is_operator": access.is_operator(request.user),
    }  # fmt: skip
    return render(request, "institutions/inspection.html", context)


def _act(request: HttpRequest, insp: object, form: RecordForm) -> None:
    action = request.POST.get("action")
    ip, user = client_ip(request), request.user
    if action == "record" and access.can_supervise(user):
        if not form.is_valid():
            raise quality.QualityError("；".join(e for errs in form.errors.values() for e in errs))
        d = form.cleaned_data
        findings = [quality.FindingInput(item, sev) for item, sev in form.finding_inputs()]
        quality.inspection_record(insp, inspected_on=d["inspected_on"], inspectors=d["inspectors"],  # type: ignore[arg-type]
                                  summary=d["summary"], findings=findings, actor=user, client_ip=ip)  # type: ignore[arg-type]  # fmt: skip
    elif action == "report" and access.is_operator(user):
        notes = {f.pk: request.POST.get(f"note_{f.pk}", "") for f in insp.findings.all()}  # type: ignore[attr-defined]
        from django.utils import timezone

        quality.rectification_report(insp, notes=notes, on=timezone.localdate(), actor=user, client_ip=ip)  # type: ignore[arg-type]
    elif action in ("pass", "fail") and access.can_supervise(user):
        quality.inspection_review(insp, passed=action == "pass", reason=request.POST.get("reason", ""),  # type: ignore[arg-type]
                                  actor=user, client_ip=ip)  # type: ignore[arg-type]  # fmt: skip
    else:
        raise quality.QualityError("您不能办理此环节")
    messages.success(request, "已办理")


@require_POST
@role_required(access.can_register)
def subsidy_build(request: HttpRequest, pk: int) -> HttpResponse:
    inst = access.access_institution(request.user, pk)
    try:
        month = parse_month(request.POST.get("month", ""))
        sheet = subsidy.build(inst, month, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
    except (ValueError, subsidy.SubsidyError) as exc:
        messages.error(request, str(exc))
        return redirect("institutions:detail", pk=inst.pk)
    return redirect("institutions:subsidy", pk=sheet.pk)


@role_required(access.can_read)
def subsidy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sheet = access.subsidies_visible_to(request.user).select_related("institution").filter(pk=pk).first()
    if sheet is None:
        from django.http import Http404

        raise Http404("补贴表不存在")
    if request.method == "POST" and access.can_register(request.user):
        try:
            subsidy.approve(sheet, actor=request.user, client_ip=client_ip(request))  # type: ignore[arg-type]
            messages.success(request, "已审核")
        except subsidy.SubsidyError as exc:
            messages.error(request, str(exc))
        return redirect("institutions:subsidy", pk=sheet.pk)
    lines = [
        {"name": mask_name(line.resident.person.name), "level": level_label(line.care_level), "line": line}
        for line in sheet.lines.select_related("resident__person")
    ]
    if request.GET.get("export") == "xlsx":
        return _export_subsidy(request, sheet, lines)
    context = {"sheet": sheet, "lines": lines, "state": subsidy.MACHINE.state_label(sheet.status),
               "can_approve": access.can_register(request.user) and sheet.status == "draft"}  # fmt: skip
    return render(request, "institutions/subsidy.html", context)


def _export_subsidy(request: HttpRequest, sheet: SubsidyMonth, lines: list[dict[str, object]]) -> HttpResponse:
    cols = ["姓名（脱敏）", "照护等级", "在院天数", "补贴（元）", "结果", "说明"]
    data = [
        [r["name"], r["level"], r["line"].days, subsidy.yuan(r["line"].amount_fen), r["line"].get_outcome_display(),  # type: ignore[attr-defined]
         r["line"].explanation]  # type: ignore[attr-defined]
        for r in lines
    ]  # fmt: skip
    what = f"{sheet.institution.name}{sheet.month:%Y年%m月}运营补贴"
    services.exported(actor=request.user, what=what, rows=len(data), client_ip=client_ip(request))  # type: ignore[arg-type]
    return xlsx_response(xlsx_bytes([Sheet("运营补贴", cols, data)]), f"{what}.xlsx")
