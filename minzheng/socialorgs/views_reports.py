"""年报 pages: the officer's year view (accepted, waiting, late, missing; Excel) and review of one report;
the organisation's own pages (its years and the report form with 保存 and 报送)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.sheets import Sheet
from minzheng.socialorgs import access, params, selectors
from minzheng.socialorgs import services_reports as reports
from minzheng.socialorgs.flow import REPORT
from minzheng.socialorgs.forms import AcceptForm, ReasonForm, ReportForm, errors_text
from minzheng.socialorgs.models import AnnualReport
from minzheng.socialorgs.views import Refused, _act, xlsx_response
from minzheng.workflow.services import history

GROUPS = [
    ("missing", "逾期未报"),
    ("late", "逾期报送"),
    ("submitted", "已报送待审查"),
    ("accepted", "已审查"),
    ("pending", "未报（未到截止日）"),
]


@role_required(access.can_read)
def report_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year - 1)
    except ValueError:
        year = today.year - 1
    scope = request.user.jurisdiction
    due = params.report_due(year, scope)
    status = selectors.report_status(selectors.registered_orgs(scope), year, due, today)
    if request.GET.get("export") == "xlsx":
        rows = [
            [org.name, org.credit_code, label, r.submitted_on if r else "", r.get_result_display() if r else ""]
            for key, label in GROUPS for org, r in status[key]
        ]  # fmt: skip
        sheet = Sheet(f"{year}年度年报", ["名称", "统一社会信用代码", "情况", "报送日期", "审查结论"], rows)
        return xlsx_response(request, f"社会组织{year}年度年报情况.xlsx", [sheet], "socialorg_report", len(rows))
    expected = sum(len(status[k]) for k in ("submitted", "accepted", "missing", "pending"))
    filed = len(status["submitted"]) + len(status["accepted"])
    context = {
        "year": year,
        "due": due,
        "groups": [(key, label, status[key]) for key, label in GROUPS],
        "rate": f"{filed * 100 / expected:.1f}%" if expected else "—",
        "expected": expected,
        "filed": filed,
    }
    return render(request, "socialorgs/reports.html", context)


@role_required(access.can_read)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access.scoped(request.user, AnnualReport.objects.select_related("org")).filter(pk=pk).first()
    if report is None:
        raise Http404("年报不存在")
    user, ip = request.user, client_ip(request)
    if request.method == "POST" and access.can_work(user):
        if request.POST.get("step") == "accept":
            form = AcceptForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                _act(
                    request,
                    lambda: reports.report_accept(
                        report, result=d["result"], opinion=d["opinion"], actor=user, client_ip=ip
                    ),
                    "年报已审查通过",
                )
            else:
                messages.error(request, errors_text(form))
        else:
            reason = request.POST.get("reason", "")
            _act(
                request,
                lambda: reports.report_return(report, reason=reason, actor=user, client_ip=ip),
                "年报已退回修改",
            )
        return redirect("socialorgs:report", pk=pk)
    reports.report_read(report, actor=user, client_ip=ip)
    context = {
        "report": report,
        "state": REPORT.state_label(report.status),
        "history": history(report),
        "accept_form": AcceptForm(),
        "reason_form": ReasonForm(),
        "writable": access.can_work(user),
    }
    return render(request, "socialorgs/report.html", context)


# ---- the organisation's own pages ----------------------------------------------------------------------


@role_required(access.is_org)
def mine(request: HttpRequest) -> HttpResponse:
    org = access.own_org(request.user)
    today = timezone.localdate()
    by_year = {r.year: r for r in org.reports.all()}
    years = []
    for y in reversed(reports.open_years(org, today)):
        state = REPORT.state_label(by_year[y].status) if y in by_year else "未填报"
        years.append((y, by_year.get(y), state, params.report_due(y, org.division_code)))
    context = {"org": org, "years": years, "rating": selectors.current_rating(org, today), "today": today}
    return render(request, "socialorgs/mine.html", context)


@role_required(access.is_org)
def my_report(request: HttpRequest, year: int) -> HttpResponse:
    org = access.own_org(request.user)
    report = org.reports.filter(year=year).first()
    editable = report is None or report.status in ("draft", "returned")
    form = ReportForm(request.POST or None, initial=ReportForm.initial_from(report))
    if request.method == "POST" and editable:
        if not form.is_valid():
            messages.error(request, errors_text(form))
        else:
            try:
                report = reports.report_save(org, year, form.values(), actor=request.user, client_ip=client_ip(request))
                if request.POST.get("submit"):
                    reports.report_submit(report, actor=request.user, client_ip=client_ip(request))
                    messages.success(request, f"{year} 年度年报已报送，等待登记管理机关审查")
                else:
                    messages.success(request, "已保存草稿")
                return redirect("socialorgs:my_report", year=year)
            except Refused as exc:
                messages.error(request, str(exc))
    due = params.report_due(year, org.division_code)
    state = REPORT.state_label(report.status) if report else "未填报"
    context = {
        "org": org,
        "year": year,
        "report": report,
        "form": form,
        "editable": editable,
        "state": state,
        "due": due,
    }
    return render(request, "socialorgs/my_report.html", context)
