"""发放批次: the monthly runs, computing one, and the run page (totals by town, changes against last
month, four-eyes approval, the bank file and the 发放名册, the bank's return file, failed lines and
the supplementary run).

The payroll kernel (payments.payroll, payments.reconcile) does the work and refuses what it must
(an approval by the person who computed the run, a second issue of a paid line); its Chinese
message is shown as it is.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import audit_record, client_ip
from minzheng.core.dates import add_months, first_of
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import prefix_q
from minzheng.payments import selectors
from minzheng.payments.access import access_run, can_approve, can_compute, can_read, owns_run, runs_visible_to
from minzheng.payments.forms import ReturnFileForm, RunForm
from minzheng.payments.models import PayrollLine, PayrollRun
from minzheng.payments.views import _errors, _quote

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_RETURN_BYTES = 50 * 1024 * 1024
ISSUABLE = (PayrollRun.State.APPROVED, PayrollRun.State.ISSUED)  # re-download gives the same bytes
RECONCILABLE = (PayrollRun.State.ISSUED, PayrollRun.State.RECONCILED)


def _regions(user: Any) -> list[tuple[str, str]]:
    from minzheng.divisions.selectors import division_full_name

    own = user.jurisdiction
    out = [(own, f"{division_full_name(own.ljust(12, '0'))}（全部）")]
    if len(own) <= 6:  # a county user may also run one town (a town's own payroll)
        out += selectors.towns_of(own)
    return out


def _run_row(run: PayrollRun) -> dict[str, Any]:
    return {
        "run": run,
        "programme": selectors.programme_name(run.programme),
        "total": selectors.yuan(run.total_fen),
        "kind": "月度发放" if run.seq == 0 else f"补发第 {run.seq} 批",
        "built_by": selectors.who(run.built_by),
        "region": selectors.region_name(run.region),
        "approved_by": selectors.who(run.approved_by) if run.approved_by_id else "",
    }


@role_required(can_read)
def run_list(request: HttpRequest) -> HttpResponse:
    qs = runs_visible_to(request.user)
    if request.GET.get("programme"):
        qs = qs.filter(programme=request.GET["programme"])
    page = Paginator(qs.order_by("-month", "programme", "region", "seq"), 50).get_page(request.GET.get("page"))
    next_month = add_months(first_of(timezone.localdate()), 1)
    form = None
    if can_compute(request.user):
        form = RunForm(initial={"month": f"{next_month:%Y-%m}"}, regions=_regions(request.user))
    return render(request, "payments/runs.html", {"rows": [_run_row(r) for r in page], "page": page, "form": form})


@require_POST
@role_required(can_compute)
def run_create(request: HttpRequest) -> HttpResponse:
    from minzheng.payments.payroll import run_payroll

    form = RunForm(request.POST, regions=_regions(request.user))
    if not form.is_valid():
        messages.error(request, "请检查填写内容：" + _errors(form))
        return redirect("payments:runs")
    c = form.cleaned_data
    try:
        run = run_payroll(c["programme"], c["month"], c["region"], actor=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("payments:runs")
    messages.success(request, f"已生成发放批次：{run.beneficiaries} 人，{selectors.yuan(run.total_fen)} 元，待审核")
    return redirect("payments:run", pk=run.pk)


def _lines_here(user: Any, run: PayrollRun) -> Any:
    """The run's lines a user may see: a town officer looking at a county run sees the town's only."""
    return run.lines.filter(prefix_q("division_code", user.jurisdiction))


def _failed(user: Any, run: PayrollRun) -> list[dict[str, Any]]:
    from minzheng.core.masking import mask_name

    lines = _lines_here(user, run).filter(status=PayrollLine.State.FAILED, reissued_as__isnull=True)
    return [
        {
            "line": ln,
            "payee": mask_name(ln.payee_name),
            "amount": selectors.yuan(ln.amount_fen),
            "account": f"{ln.bank_name} 尾号 {ln.account_no[-4:]}" if ln.account_no else "无账户",
            "now": selectors.account_masked(selectors.account_of(ln.entitlement.payee_id)),
        }
        for ln in lines.select_related("entitlement").order_by("division_code", "pk")[:200]
    ]


def _changes(user: Any, run: PayrollRun) -> dict[str, Any]:
    """新增 / 停发 / 金额变更 against last month (regular runs only), names masked, the user's area only."""
    from minzheng.core.masking import mask_name
    from minzheng.payments.payroll import run_changes

    if run.seq:
        return {}
    changes = run_changes(run)
    here = user.jurisdiction

    def label(c: dict[str, Any]) -> dict[str, Any]:
        old = f"{selectors.yuan(c['old_amount_fen'])} → " if c.get("old_amount_fen") is not None else ""
        text = f"{mask_name(c['payee_name'])} · {old}{selectors.yuan(c['amount_fen'])} 元"
        return {"label": text, "entitlement_id": c["entitlement_id"]}

    lists = [
        (title, [label(c) for c in changes[key] if str(c["division_code"]).startswith(here)])
        for key, title in (("new", "新增"), ("stopped", "停发"), ("changed", "金额变化"))
    ]
    return {"counts": changes["counts"], "lists": lists, "previous": changes["previous_run_id"]}


def _by_town(user: Any, run: PayrollRun) -> list[dict[str, Any]]:
    from minzheng.payments.payroll import run_by_town

    mine = user.jurisdiction[:9]
    rows = [t for t in run_by_town(run) if t["town_code"][:9].startswith(mine)]
    for t in rows:
        t["total"] = selectors.yuan(t["total_fen"])
    return rows


def _no_account(user: Any, run: PayrollRun) -> list[dict[str, Any]]:
    from minzheng.core.masking import mask_name
    from minzheng.payments.payroll import run_without_account

    if run.seq or run.status == PayrollRun.State.COMPUTING:
        return []
    rows = [r for r in run_without_account(run) if r["division_code"].startswith(user.jurisdiction)][:200]
    return [{**r, "payee": mask_name(r["payee_name"]), "amount": selectors.yuan(r["amount_fen"])} for r in rows]


@role_required(can_read)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_run(request.user, pk)
    audit_record(
        actor=request.user, action="view", object_type="payroll_run", object_id=run.pk,
        summary=f"查看发放批次 {run}", client_ip=client_ip(request),
    )  # fmt: skip
    acting = owns_run(request.user, run)
    context = {
        "row": _run_row(run),
        "run": run,
        "by_town": _by_town(request.user, run),
        "changes": _changes(request.user, run),
        "no_account": _no_account(request.user, run),
        "failed": _failed(request.user, run),
        "returns": run.returns.order_by("-uploaded_at"),
        "supplements": [_run_row(r) for r in _supplements(run)],
        "can_approve": acting and can_approve(request.user) and run.status == PayrollRun.State.DRAFT,
        "can_issue": acting and can_compute(request.user) and run.status in ISSUABLE,
        "can_reconcile": acting and can_compute(request.user) and run.status in RECONCILABLE,
        "can_supplement": acting and can_compute(request.user),
        "return_form": ReturnFileForm(),
    }  # fmt: skip
    return render(request, "payments/run.html", context)


def _supplements(run: PayrollRun) -> Any:
    return PayrollRun.objects.filter(programme=run.programme, month=run.month, region=run.region).exclude(pk=run.pk)


def _acting_run(request: HttpRequest, pk: int) -> PayrollRun:
    from django.http import Http404

    run = access_run(request.user, pk)
    if not owns_run(request.user, run):
        raise Http404("发放批次不存在")
    return run


@require_POST
@role_required(can_approve)
def run_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    from minzheng.payments.payroll import run_approve

    run = _acting_run(request, pk)
    try:
        run_approve(run, actor=request.user, client_ip=client_ip(request))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已审核：可以出盘")
    return redirect("payments:run", pk=run.pk)


@require_POST
@role_required(can_compute)
def run_bank_file(request: HttpRequest, pk: int) -> HttpResponse:
    """出盘: the bank disbursement file (issuing the lines; the same bytes when downloaded again)."""
    from minzheng.payments.payroll import run_issue

    run = _acting_run(request, pk)
    try:
        name, data = run_issue(run, actor=request.user)  # audited by the kernel
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("payments:run", pk=run.pk)
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


@role_required(can_read)
def run_roster(request: HttpRequest, pk: int) -> HttpResponse:
    from minzheng.payments.payroll import roster_xlsx

    run = _acting_run(request, pk)
    data = roster_xlsx(run, actor=request.user)  # audited by the kernel (full account numbers)
    name = f"发放名册-{selectors.programme_name(run.programme)}-{run.month:%Y%m}-{run.region}-{run.seq}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


@require_POST
@role_required(can_compute)
def run_return(request: HttpRequest, pk: int) -> HttpResponse:
    from minzheng.payments.reconcile import reconcile

    run = _acting_run(request, pk)
    form = ReturnFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择银行回盘文件")
        return redirect("payments:run", pk=run.pk)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_RETURN_BYTES:
        messages.error(request, "回盘文件超过 50 MB，请确认文件是否正确")
        return redirect("payments:run", pk=run.pk)
    try:
        result = reconcile(run, upload.name, upload.read(), actor=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        errors = f"，{len(result.errors)} 行无法对应" if result.errors else ""
        messages.success(request, f"回盘已对账：成功 {result.paid} 笔，失败 {result.failed} 笔{errors}")
    return redirect("payments:run", pk=run.pk)


@require_POST
@role_required(can_compute)
def run_supplement(request: HttpRequest, pk: int) -> HttpResponse:
    from minzheng.payments.payroll import run_supplementary

    run = _acting_run(request, pk)
    try:
        extra = run_supplementary(run, actor=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("payments:run", pk=run.pk)
    messages.success(request, f"已生成补发批次：{extra.beneficiaries} 笔，{selectors.yuan(extra.total_fen)} 元，待审核")
    return redirect("payments:run", pk=extra.pk)
