"""社会组织 register pages for the county office: the list (Excel export), a new registration, one
organisation's file (audited read) with its filings, reports, inspections, ratings and 组织力, and the
filing steps. Thin: access (404 outside) → services → templates.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import audit_record, client_ip
from minzheng.core.decorators import role_required
from minzheng.core.masking import mask_phone
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.documents.services import AttachmentError
from minzheng.socialorgs import access, materials, selectors, services, strength_facts
from minzheng.socialorgs import services_supervise as supervise
from minzheng.socialorgs.forms import (
    ApplicationForm,
    ChangeForm,
    DecideForm,
    OrgFilter,
    RatingForm,
    ReasonForm,
    errors_text,
    fen,
)
from minzheng.socialorgs.models import Filing
from minzheng.workflow.services import TransitionRefused, history

Refused = (services.SocialOrgError, TransitionRefused, AttachmentError)
EXPORT_COLUMNS = [
    "名称",
    "统一社会信用代码",
    "类型",
    "业务主管单位",
    "法定代表人",
    "注册资金（元）",
    "住所",
    "区划代码",
    "状态",
    "登记日期",
]


def _filtered(request: HttpRequest, form: OrgFilter) -> Any:
    qs = access.orgs_visible_to(request.user).order_by("name")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        q = data["q"].strip()
        qs = qs.filter(credit_code=q.upper()) if len(q) == 18 else qs.filter(name__contains=q)
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("grade"):
        today = timezone.localdate()
        qs = qs.filter(ratings__grade=data["grade"], ratings__expires_on__gte=today, ratings__revoked_on=None)
    return qs


@role_required(access.can_read)
def org_list(request: HttpRequest) -> HttpResponse:
    form = OrgFilter(request.GET or None)
    qs = _filtered(request, form)
    if request.GET.get("export") == "xlsx":
        return _export(request, qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "writable": access.can_work(request.user)}
    return render(request, "socialorgs/list.html", context)


def _export(request: HttpRequest, qs: Any) -> HttpResponse:
    from minzheng.socialorgs.flow import ORG

    rows = [
        [o.name, o.credit_code, o.get_kind_display(), o.supervisor, o.legal_rep, o.capital_fen / 100, o.address,
         o.division_code, ORG.state_label(o.status), o.registered_on]
        for o in qs[:50_000]
    ]  # fmt: skip
    name = f"社会组织名录-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(request, name, [Sheet("社会组织名录", EXPORT_COLUMNS, rows)], "socialorg", len(rows))


def xlsx_response(request: HttpRequest, name: str, sheets: list[Sheet], object_type: str, count: int) -> HttpResponse:
    """Every export leaves an audit row (what, how many rows, which filters)."""
    data = xlsx_bytes(sheets)
    filters = {k: v for k, v in request.GET.items() if k != "export"}
    audit_record(
        actor=request.user,
        action="export",
        object_type=object_type,
        summary=f"导出 {name}（{count} 行）",
        client_ip=client_ip(request),
        data={"filters": filters, "rows": count},
    )
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@role_required(access.can_work)
def org_new(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.Application(
            kind=d["kind"], name=d["name"], legal_rep=d["legal_rep"], address=d["address"],
            division_code=d["division_code"], capital_fen=fen(d["capital"]) or 0, received_on=d["received_on"],
            supervisor=d["supervisor"], legal_rep_phone=d["legal_rep_phone"], scope=d["scope"],
        )  # fmt: skip
        try:
            filing = services.register_apply(data, actor=request.user, client_ip=client_ip(request))
        except services.SocialOrgError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已收件：{filing.org.name} 成立登记，请在 5 个工作日内受理")
            return redirect("socialorgs:filing", pk=filing.pk)
    elif request.method == "POST":
        messages.error(request, errors_text(form))
    return render(request, "socialorgs/form.html", {"form": form, "title": "成立登记收件"})


@role_required(access.can_read)
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.access_org(request.user, pk)
    services.org_file_read(org, actor=request.user, client_ip=client_ip(request))
    today = timezone.localdate()
    score = strength_facts.scores(access.orgs_visible_to(request.user).filter(pk=org.pk), today)[0][1]
    context = {
        "org": org,
        "phone": org.legal_rep_phone if access.can_work(request.user) else mask_phone(org.legal_rep_phone),
        "filings": org.filings.order_by("-pk"),
        "reports": org.reports.order_by("-year"),
        "inspections": org.inspections.prefetch_related("findings").order_by("-pk"),
        "ratings": org.ratings.all(),
        "rating": selectors.current_rating(org, today),
        "rating_refusal": supervise.rating_refusal(org, today),
        "strength": score,
        "history": history(org),
        "writable": access.can_work(request.user),
        "revocable": getattr(request.user, "role", "") == "county_approver"
        and org.status in ("registered", "abnormal"),
        "change_form": ChangeForm(),
        "reason_form": ReasonForm(),
        "rating_form": RatingForm(initial={"rated_on": today}),
    }
    return render(request, "socialorgs/detail.html", context)


def _act(request: HttpRequest, fn: Any, ok: str) -> None:
    try:
        fn()
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ok)


@require_POST
@role_required(access.can_work)
def org_change(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.access_org(request.user, pk)
    form = ChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("socialorgs:detail", pk=pk)
    on, ip = timezone.localdate(), client_ip(request)
    _act(
        request,
        lambda: services.change_apply(org, form.changes(), on=on, actor=request.user, client_ip=ip),
        "已收件：变更登记",
    )
    return redirect("socialorgs:detail", pk=pk)


@require_POST
@role_required(access.can_work)
def org_status(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """注销登记收件, 列入 / 移出活动异常名录: each with its reason."""
    org = access.access_org(request.user, pk)
    if what not in ("deregister", "abnormal", "normal"):
        raise Http404("未知的办理事项")
    reason, ip, user = request.POST.get("reason", ""), client_ip(request), request.user
    if what == "deregister":
        on = timezone.localdate()
        _act(
            request,
            lambda: services.deregister_apply(org, reason=reason, on=on, actor=user, client_ip=ip),
            "已收件：注销登记",
        )
    elif what == "abnormal":
        _act(
            request, lambda: services.abnormal_enter(org, reason=reason, actor=user, client_ip=ip), "已列入活动异常名录"
        )
    else:
        _act(
            request, lambda: services.abnormal_leave(org, reason=reason, actor=user, client_ip=ip), "已移出活动异常名录"
        )
    return redirect("socialorgs:detail", pk=pk)


@require_POST
@role_required(access.can_decide)
def org_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销登记: the machine lets only the county approver take it (with the reason)."""
    org = access.access_org(request.user, pk)
    reason, ip, user = request.POST.get("reason", ""), client_ip(request), request.user
    _act(request, lambda: services.revoke(org, reason=reason, actor=user, client_ip=ip), "已撤销登记")
    return redirect("socialorgs:detail", pk=pk)


@require_POST
@role_required(access.can_work)
def org_rating(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.access_org(request.user, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("socialorgs:detail", pk=pk)
    d, ip = form.cleaned_data, client_ip(request)
    _act(
        request,
        lambda: supervise.rating_record(
            org, score=d["score"], rated_on=d["rated_on"], note=d["note"], actor=request.user, client_ip=ip
        ),
        "已登记评估等级",
    )
    return redirect("socialorgs:detail", pk=pk)


@role_required(access.can_read)
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    filing = access.scoped(request.user, Filing.objects.select_related("org")).filter(pk=pk).first()
    if filing is None:
        raise Http404("登记事项不存在")
    if request.method == "POST" and access.can_decide(request.user):
        _filing_step(request, filing)
        return redirect("socialorgs:filing", pk=pk)
    context = {
        "filing": filing,
        "history": history(filing),
        "decide_form": DecideForm(),
        "can_decide": access.can_decide(request.user),
        "checklist": materials.checklist(filing),
    }
    return render(request, "socialorgs/filing.html", context)


def _filing_step(request: HttpRequest, filing: Filing) -> None:
    step, ip, user = request.POST.get("step", ""), client_ip(request), request.user
    reason, code = request.POST.get("reason", ""), request.POST.get("credit_code", "")
    if step == "materials":
        keys = request.POST.getlist("material")
        _act(request, lambda: materials.materials_tick(filing, keys, actor=user, client_ip=ip), "已记录收件材料")
    elif step == "scan" and request.FILES.get("scan"):
        scan, key = request.FILES["scan"], request.POST.get("kind", "")
        _act(
            request,
            lambda: materials.material_scan(filing, key, scan, filename=scan.name or "scan", actor=user, client_ip=ip),
            "已上传扫描件",
        )
    elif step == "accept":
        _act(request, lambda: services.filing_accept(filing, actor=user, client_ip=ip), "已受理")
    elif step == "return":
        _act(request, lambda: services.filing_return(filing, reason=reason, actor=user, client_ip=ip), "已不予受理")
    elif step in ("approve", "reject"):
        approve = step == "approve"
        _act(
            request,
            lambda: services.filing_decide(
                filing, approve=approve, reason=reason, credit_code=code, actor=user, client_ip=ip
            ),
            "已准予" if approve else "已作出不予决定",
        )
    else:
        messages.error(request, "未知的办理环节")
