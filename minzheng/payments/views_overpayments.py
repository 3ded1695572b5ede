"""追回台账: overpayments to recover, with repayments, write-off (four eyes) and the 追回通知书.

The bookkeeping lives in payments.overpayments and the letter in payments.letters; these views
only scope, audit reads and exports, and show the kernel's Chinese refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import audit_record, client_ip
from minzheng.core.decorators import role_required
from minzheng.payments import selectors
from minzheng.payments.access import access_overpayment, can_approve, can_read, can_write, overpayments_visible_to
from minzheng.payments.forms import InstalmentForm, RepaymentForm, WriteOffForm, to_fen
from minzheng.payments.letters import recovery_letter_pdf
from minzheng.payments.models import Overpayment
from minzheng.payments.overpayments import (
    instalment_plan_set,
    instalment_schedule,
    repayment_record,
    write_off_approve,
    write_off_reject,
    write_off_request,
)
from minzheng.payments.views import _errors, _quote

OPEN_STATES = [Overpayment.State.OPEN, Overpayment.State.RECOVERING, Overpayment.State.WRITE_OFF]


@role_required(can_read)
def overpayment_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "open")
    qs = overpayments_visible_to(request.user).select_related("entitlement", "entitlement__payee")
    qs = qs.filter(status__in=OPEN_STATES) if tab == "open" else qs
    page = Paginator(qs.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    rows = [selectors.OverpaymentRow.of(op) for op in page]
    return render(request, "payments/overpayments.html", {"tab": tab, "rows": rows, "page": page})


@role_required(can_read)
def overpayment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    op = access_overpayment(request.user, pk)
    audit_record(
        actor=request.user, action="view", object_type="overpayment", object_id=op.pk,
        summary=f"查看追回记录 #{op.pk}", client_ip=client_ip(request),
    )  # fmt: skip
    ent = op.entitlement
    context: dict[str, Any] = {
        "op": op,
        "row": selectors.OverpaymentRow.of(op),
        "ent": ent,
        "repayments": [
            {"r": r, "amount": selectors.yuan(r.amount_fen), "by": selectors.who(r.recorded_by)}
            for r in op.repayments.order_by("received_on", "pk")
        ],
        "lines": [{"line": ln, "amount": selectors.yuan(ln.amount_fen)} for ln in op.lines.order_by("period", "pk")],
        "schedule": _schedule(op),
        "fine": selectors.yuan(op.fine_fen) if op.fine_fen else "",
        "instalment_form": InstalmentForm(initial={"instalments": op.instalments}),
        "writable": can_write(request.user) and op.status in OPEN_STATES,
        "approvable": can_approve(request.user) and op.status == Overpayment.State.WRITE_OFF,
        "repayment_form": RepaymentForm(initial={"received_on": timezone.localdate()}),
        "writeoff_form": WriteOffForm(),
    }
    return render(request, "payments/overpayment.html", context)


def _schedule(op: Overpayment) -> list[dict[str, Any]]:
    return [
        {
            "n": i.n,
            "amount": selectors.yuan(i.amount_fen),
            "cumulative": selectors.yuan(i.cumulative_fen),
            "paid": i.paid,
        }
        for i in instalment_schedule(op)
    ]


def _after(request: HttpRequest, op: Overpayment, act: Callable[[], object], done: str) -> HttpResponse:
    """Run one bookkeeping step; its refusal (a Chinese ValueError) is shown as is."""
    try:
        act()
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("payments:overpayment", pk=op.pk)


def _invalid(request: HttpRequest, op: Overpayment, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("payments:overpayment", pk=op.pk)


@require_POST
@role_required(can_write)
def instalments_set(request: HttpRequest, pk: int) -> HttpResponse:
    op = access_overpayment(request.user, pk, write=True)
    form = InstalmentForm(request.POST)
    if not form.is_valid():
        return _invalid(request, op, "请检查分期数：" + _errors(form))
    c = form.cleaned_data
    return _after(
        request, op,
        lambda: instalment_plan_set(op, instalments=c["instalments"], actor=request.user, reason=c["reason"] or ""),
        f"已调整为分 {c['instalments']} 期追回",
    )  # fmt: skip


@require_POST
@role_required(can_write)
def repayment_add(request: HttpRequest, pk: int) -> HttpResponse:
    op = access_overpayment(request.user, pk, write=True)
    form = RepaymentForm(request.POST)
    if not form.is_valid():
        return _invalid(request, op, "请检查收款信息：" + _errors(form))
    c = form.cleaned_data
    fen = to_fen(c["amount_yuan"])
    return _after(
        request, op,
        lambda: repayment_record(op, amount_fen=fen, received_on=c["received_on"], actor=request.user),
        f"已登记收回 {selectors.yuan(fen)} 元",
    )  # fmt: skip


@require_POST
@role_required(can_write)
def write_off(request: HttpRequest, pk: int) -> HttpResponse:
    op = access_overpayment(request.user, pk, write=True)
    form = WriteOffForm(request.POST)
    if not form.is_valid():
        return _invalid(request, op, "请填写核销理由")
    reason = form.cleaned_data["reason"]
    return _after(
        request, op, lambda: write_off_request(op, reason=reason, actor=request.user), "已提交核销，待县级审核"
    )


@require_POST
@role_required(can_approve)
def write_off_ok(request: HttpRequest, pk: int) -> HttpResponse:
    op = access_overpayment(request.user, pk, write=True)
    return _after(request, op, lambda: write_off_approve(op, actor=request.user), "已核销")


@require_POST
@role_required(can_approve)
def write_off_no(request: HttpRequest, pk: int) -> HttpResponse:
    op = access_overpayment(request.user, pk, write=True)
    form = WriteOffForm(request.POST)
    if not form.is_valid():
        return _invalid(request, op, "请填写退回理由")
    reason = form.cleaned_data["reason"]
    return _after(
        request, op, lambda: write_off_reject(op, reason=reason, actor=request.user), "已退回核销申请，继续追回"
    )


@role_required(can_read)
def recovery_letter(request: HttpRequest, pk: int) -> HttpResponse:
    op = access_overpayment(request.user, pk)
    audit_record(
        actor=request.user, action="export", object_type="overpayment", object_id=op.pk,
        summary=f"打印追回通知书（追回#{op.pk}）", client_ip=client_ip(request),
    )  # fmt: skip
    response = HttpResponse(recovery_letter_pdf(op), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(f'追回通知书-{op.pk}.pdf')}"
    return response
