"""待遇名册: the entitlement list (filters, Excel export) and one entitlement with its history, lines
paid, lifecycle actions and the payee's bank account.

Thin: access (404 outside the jurisdiction) → services → templates. Every read of one entitlement,
every export and every write is audited (the services audit their writes).
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
from minzheng.core.jurisdiction import within
from minzheng.core.masking import mask_id_number
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.payments import selectors, services, stops
from minzheng.payments.access import access_entitlement, can_compute, can_read, can_write, entitlements_visible_to
from minzheng.payments.forms import (
    AccountForm,
    AmountForm,
    EndForm,
    EntitlementFilter,
    ReasonForm,
    SuspendForm,
    bank_choices,
    to_fen,
)
from minzheng.payments.models import BankAccount, Entitlement, Status

EXPORT_LIMIT = 50_000
EXPORT_COLUMNS = ["项目", "享受对象", "户编号", "收款人", "收款人身份号码（脱敏）", "保障人数", "月发放金额（元）",
                  "起始所属期", "最后所属期", "状态", "区划代码"]  # fmt: skip


def _filtered(request: HttpRequest) -> tuple[EntitlementFilter, Any]:
    towns = selectors.towns_of(request.user.jurisdiction)
    form = EntitlementFilter(request.GET or None, towns=towns)
    params = form.cleaned_data if form.is_valid() else {}
    qs = selectors.entitlement_filter(entitlements_visible_to(request.user), params)
    qs = qs.filter(within("division_code", request.GET.get("division")))  # a dashboard link's division
    return form, qs.select_related("person", "household", "payee").order_by("division_code", "programme", "pk")


@role_required(can_read)
def entitlement_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    if request.GET.get("export") == "xlsx":
        return _export(request, qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "rows": [selectors.EntitlementRow.of(e) for e in page],
        "page": page,
        "query": query.urlencode(),
        "count": page.paginator.count,
        "perms_compute": can_compute(request.user),
    }
    return render(request, "payments/entitlements.html", context)


def _export(request: HttpRequest, qs: Any) -> HttpResponse:
    rows = [_export_row(e) for e in qs[:EXPORT_LIMIT]]
    today = timezone.localdate()
    name = f"待遇名册-{today:%Y%m%d}.xlsx"
    money = {6: "#,##0.00"}
    data = xlsx_bytes([Sheet("待遇名册", EXPORT_COLUMNS, rows, formats=money, widths=[(0, 10, 16)])])
    audit_record(
        actor=request.user, action="export", object_type="entitlement_list", object_id=name,
        summary=f"导出待遇名册 {len(rows)} 条", client_ip=client_ip(request),
        data={"filters": {k: v for k, v in request.GET.items() if k != "export"}, "rows": len(rows)},
    )  # fmt: skip
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def _export_row(e: Entitlement) -> list[Any]:
    subject = e.household.household_no if e.household_id else (e.person.name if e.person else "")
    return [
        selectors.programme_name(e.programme), subject, e.household.household_no if e.household_id else "",
        e.payee.name, mask_id_number(e.payee.id_number), e.members, e.amount_fen / 100,
        f"{e.from_month:%Y-%m}", f"{e.to_month:%Y-%m}" if e.to_month else "", e.get_status_display(), e.division_code,
    ]  # fmt: skip


@role_required(can_read)
def entitlement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ent = access_entitlement(request.user, pk)
    audit_record(
        actor=request.user, action="view", object_type="entitlement", object_id=ent.pk,
        summary=f"查看待遇 {selectors.programme_name(ent.programme)} #{ent.pk}", client_ip=client_ip(request),
    )  # fmt: skip
    return render(request, "payments/entitlement.html", _detail_context(request, ent))


def _detail_context(request: HttpRequest, ent: Entitlement) -> dict[str, Any]:
    next_month = add_months(first_of(timezone.localdate()), 1)
    month = {"month": f"{next_month:%Y-%m}"}
    writable = can_write(request.user)
    account = selectors.account_of(ent.payee_id)
    paid_into = selectors.account_masked(account)
    if ent.payee_unit:  # 集中供养 (institutions): paid into the unit's account, not the payee's own
        unit = BankAccount.objects.filter(unit=ent.payee_unit, active=True).first()
        paid_into = f"集中供养：付至单位 {ent.payee_unit} 的账户 {selectors.account_masked(unit) or '（未登记）'}"
    return {
        "ent": ent,
        "programme": selectors.programme_name(ent.programme),
        "source": selectors.SOURCES.get(ent.source, ent.source),
        "subject": selectors.subject_label(ent, masked=False),
        "payee": selectors.payee_label(ent, masked=True),
        "amount": selectors.yuan(ent.amount_fen),
        "changes": [
            {
                "c": c,
                "old": selectors.yuan(c.old_amount_fen),
                "new": selectors.yuan(c.new_amount_fen),
                "by": selectors.who(c.actor),
            }
            for c in ent.changes.select_related("actor").order_by("-at", "-pk")
        ],
        "lines": selectors.lines_of(ent),
        "account": paid_into,
        "accounts": selectors.account_history(ent.payee_id),
        "writable": writable and ent.status != Status.ENDED,
        "can_account": writable,
        "suspend_form": SuspendForm(initial=month, prefix="suspend"),
        "end_form": EndForm(initial={"month": f"{first_of(timezone.localdate()):%Y-%m}"}, prefix="end"),
        "amount_form": AmountForm(initial=month, prefix="amount"),
        "restore_form": ReasonForm(prefix="restore"),
        "account_form": AccountForm(initial={"account_name": ent.payee.name}, prefix="account"),
        "overpayments": ent.overpayments.order_by("-pk"),
        "stop_items": _stop_items(ent),
    }


def _stop_items(ent: Entitlement) -> list[Any]:
    """Open 停发核实 待办 on this entitlement (decided on the 待办 page: 确认停发 or 恢复发放)."""
    from minzheng.workitems.models import WorkItem

    items = WorkItem.objects.filter(subject_type="entitlement", subject_id=str(ent.pk), status=WorkItem.Status.OPEN)
    return list(items.order_by("pk"))


def _errors(form: Any) -> str:
    return "；".join(
        f"{form.fields[f].label if f in form.fields else ''}：{e}" for f, errs in form.errors.items() for e in errs
    )


@require_POST
@role_required(can_write)
def entitlement_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    ent = access_entitlement(request.user, pk, write=True)
    forms = {"suspend": SuspendForm, "restore": ReasonForm, "end": EndForm, "amount": AmountForm}
    if action not in forms:
        messages.error(request, "未知操作")
        return redirect("payments:entitlement", pk=ent.pk)
    form = forms[action](request.POST, prefix=action)
    if not form.is_valid():
        messages.error(request, "请检查填写内容：" + _errors(form))
        return redirect("payments:entitlement", pk=ent.pk)
    c, actor = form.cleaned_data, request.user
    # Restore and end go through payments.stops: they also settle a 停发核实 待办, and an end after paid
    # months opens the 追回台账 row.
    try:
        if action == "suspend":
            services.entitlement_suspend(ent, month=c["month"], reason=c["reason"], actor=actor)
        elif action == "restore":
            stops.stop_cancel(ent, reason=c["reason"], actor=actor)
        elif action == "end":
            op = stops.stop_confirm(ent, last_month=c["month"], reason=c["reason"], actor=actor).overpayment
            if op is not None:
                messages.warning(request, f"停发月份之后已发放的款项已列入追回台账：追回#{op.pk}")
        else:
            services.entitlement_change_amount(
                ent, amount_fen=to_fen(c["amount_yuan"]), month=c["month"], reason=c["reason"], actor=actor
            )
    except services.EntitlementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, {"suspend": "已暂停发放", "restore": "已恢复发放", "end": "已停发",
                                   "amount": "已变更金额"}[action])  # fmt: skip
    return redirect("payments:entitlement", pk=ent.pk)


@require_POST
@role_required(can_write)
def account_change(request: HttpRequest, pk: int) -> HttpResponse:
    """变更账户 of the entitlement's payee; the account number is typed, never shown back whole."""
    ent = access_entitlement(request.user, pk, write=True)
    form = AccountForm(request.POST, prefix="account")
    if not form.is_valid():
        messages.error(request, "请检查账户信息：" + _errors(form))
        return redirect("payments:entitlement", pk=ent.pk)
    c = form.cleaned_data
    try:
        account = services.account_set(
            ent.payee, bank_code=c["bank_code"], bank_name=dict(bank_choices()).get(c["bank_code"], c["bank_code"]),
            account_no=c["account_no"], account_name=c["account_name"], reason=c["reason"], actor=request.user,
        )  # fmt: skip
    except services.EntitlementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已登记发放账户：{selectors.account_masked(account)}")
    if _safe_next(request):  # back to the payroll run whose failed line needed this account
        return redirect(request.POST["next"])
    return redirect("payments:entitlement", pk=ent.pk)


def _safe_next(request: HttpRequest) -> bool:
    nxt = request.POST.get("next", "")
    return nxt.startswith("/payments/") and "//" not in nxt
