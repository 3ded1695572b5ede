"""标准调整: the what-if of a new standard (a parameter with a new effective date) on the live
entitlements of a region, before anything changes; a request for approval (a 待办 for the county),
and the approval by a second person, which applies it (payments.standards, four eyes there too).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from minzheng.accounts.models import User
from minzheng.audit.services import audit_record, client_ip
from minzheng.core.dates import month_label
from minzheng.core.decorators import role_required
from minzheng.payments import selectors
from minzheng.payments.access import can_approve, can_compute
from minzheng.payments.forms import RunForm
from minzheng.payments.views import _errors
from minzheng.payments.views_payroll import _regions
from minzheng.workitems.models import WorkItem

SOURCE = "payments_standard"
KIND = "standard_change"
SHOWN = 300


def _key(c: dict[str, Any]) -> str:
    return f"{c['programme']}:{c['region']}:{c['month']:%Y-%m}"


def _pending(c: dict[str, Any]) -> WorkItem | None:
    return WorkItem.objects.filter(fingerprint=f"standard:{_key(c)}", status=WorkItem.Status.OPEN).first()


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    changed = [r for r in rows if r["new_amount_fen"] is not None and r["difference_fen"]]
    held = [r for r in rows if r["new_amount_fen"] is None]
    diff = sum(r["difference_fen"] for r in changed)
    return {"n": len(rows), "changed": len(changed), "held": len(held), "difference": selectors.yuan(diff)}


def _row(r: dict[str, Any]) -> dict[str, Any]:
    ent = r["entitlement"]
    return {
        "ent": ent,
        "subject": selectors.subject_label(ent, masked=True) if ent.person_id else ent.household.household_no,
        "old": selectors.yuan(r["old_amount_fen"]),
        "new": selectors.yuan(r["new_amount_fen"]),
        "diff": selectors.yuan(r["difference_fen"]),
        "note": r["note"],
    }


def _cleaned(request: HttpRequest, data: Any) -> dict[str, Any] | None:
    form = RunForm(data, regions=_regions(request.user))
    if not form.is_valid():
        if data:
            messages.error(request, "请检查填写内容：" + _errors(form))
        return None
    return form.cleaned_data


@role_required(can_compute)
def standards(request: HttpRequest) -> HttpResponse:
    from minzheng.payments.standards import standard_change_preview

    c = _cleaned(request, request.GET or None)
    context: dict[str, Any] = {"form": RunForm(request.GET or None, regions=_regions(request.user))}
    if c is not None:
        rows = standard_change_preview(c["programme"], c["region"], c["month"])
        audit_record(
            actor=request.user, action="view", object_type="standard_change", object_id=_key(c),
            summary=f"标准调整测算 {_key(c)} 自{month_label(c['month'])}起",
            client_ip=client_ip(request), data={"rows": len(rows)},
        )  # fmt: skip
        pending = _pending(c)
        by = pending.data.get("requested_by") if pending else None
        shown = [r for r in rows if r["difference_fen"] or r["note"]][:SHOWN]
        context.update(
            c=c, summary=_summary(rows), rows=[_row(r) for r in shown], pending=pending,
            requester=selectors.who(User.objects.filter(pk=by).first()) if pending else "",
            can_apply=bool(pending and can_approve(request.user) and by != request.user.pk),
        )  # fmt: skip
    return render(request, "payments/standards.html", context)


def _back(c: dict[str, Any]) -> str:
    query = {"programme": c["programme"], "region": c["region"], "month": f"{c['month']:%Y-%m}"}
    return reverse("payments:standards") + "?" + urlencode(query)


@require_POST
@role_required(can_compute)
def standards_request(request: HttpRequest) -> HttpResponse:
    from minzheng.payments.standards import standard_change_preview
    from minzheng.workitems.services import ItemSpec, item_upsert

    c = _cleaned(request, request.POST)
    if c is None:
        return redirect("payments:standards")
    summary = _summary(standard_change_preview(c["programme"], c["region"], c["month"]))
    name, where = selectors.programme_name(c["programme"]), selectors.region_name(c["region"])
    title = f"标准调整待审核：{name} {where} 自{month_label(c['month'])}起（变化 {summary['changed']} 条）"
    item_upsert(ItemSpec(
        source=SOURCE, kind=KIND, title=title, subject_type="standard_change", subject_id=_key(c),
        division_code=c["region"], role="county_approver", fingerprint=f"standard:{_key(c)}",
        data={"requested_by": request.user.pk, "url": _back(c), **summary},
    ))  # fmt: skip
    audit_record(
        actor=request.user, action="write", object_type="standard_change", object_id=_key(c),
        summary=f"提交标准调整审核：{title}", client_ip=client_ip(request),
    )  # fmt: skip
    messages.success(request, "已提交县级审核（须由提交人以外的人员审核执行）")
    return redirect(_back(c))


@require_POST
@role_required(can_approve)
def standards_apply(request: HttpRequest) -> HttpResponse:
    from minzheng.payments.standards import standard_change_apply
    from minzheng.workitems.services import item_resolve

    c = _cleaned(request, request.POST)
    if c is None:
        return redirect("payments:standards")
    pending = _pending(c)
    if pending is None:
        raise Http404("没有待审核的标准调整")
    requester = User.objects.filter(pk=pending.data.get("requested_by")).first()
    try:
        done = standard_change_apply(
            c["programme"], c["region"], c["month"], actor=requester, approved_by=request.user,
            reason=request.POST.get("reason", "").strip(),
        )  # fmt: skip
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(_back(c))
    text = f"已审核执行：变更 {done['changed']} 条，待核对 {done['skipped']} 条"
    item_resolve(pending, actor=request.user, resolution=text, client_ip=client_ip(request))
    messages.success(request, text)
    return redirect(_back(c))
