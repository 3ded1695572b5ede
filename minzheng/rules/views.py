"""政策目录与资格判定: pages. Thin: access + services + selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.rules import access, selectors, services
from minzheng.rules.forms import ParamDecideForm, ParamProposeForm
from minzheng.rules.keys import CANONICAL_KEYS
from minzheng.rules.models import ParameterChange


def _may_decide(user: object, change: ParameterChange) -> str:
    """'' when this user may approve the change, else why not (shown instead of the buttons)."""
    if not access.can_admin_params(user):
        return "待管理员审核"
    if change.proposed_by_id == getattr(user, "pk", None):
        return "须由他人审核"
    if not access.may_set_region(user, change.region_code):
        return "超出本人管辖范围"
    return ""


def _params_context(request: HttpRequest, **extra: object) -> dict[str, object]:
    key = request.GET.get("key", "").strip()
    region = request.GET.get("region", "").strip()
    known = {k for k, _, _ in CANONICAL_KEYS}
    choices = selectors.key_choices()
    labels = dict(choices)
    rows = selectors.param_rows(key=key, region_code=region)
    changes = selectors.param_changes()[:30]
    pending = selectors.param_changes(status=ParameterChange.Status.PENDING)
    for item in [*rows, *changes, *pending]:
        item.key_label = labels.get(item.key, item.key)  # type: ignore[attr-defined]  # shown instead of the bare key
    return {
        "rows": rows,
        "key_choices": choices,
        "key": key,
        "region": region,
        "pending": [(c, _may_decide(request.user, c)) for c in pending],
        "decided": changes,
        "canonical": CANONICAL_KEYS,
        "other_keys": [k for k in selectors.param_keys() if k[0] not in known],
        "can_admin": access.can_admin_params(request.user),
        "form": ParamProposeForm(),
        "decide_form": ParamDecideForm(),
        **extra,
    }


@role_required(access.can_read_params)
def params_page(request: HttpRequest) -> HttpResponse:
    """Every dated regional value, pending changes, and (for administrators) propose/approve."""
    return render(request, "rules/params.html", _params_context(request))


@require_POST
@role_required(access.can_admin_params)
def param_propose(request: HttpRequest) -> HttpResponse:
    form = ParamProposeForm(request.POST)
    if form.is_valid():
        try:
            change = services.param_change_propose(
                actor=request.user, data=form.cleaned_data, client_ip=client_ip(request)
            )
        except services.RulesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已提交调整申请 {change.pk}：须由另一名管理员审核后生效")
            return redirect("rules:params")
    return render(request, "rules/params.html", _params_context(request, form=form), status=400)


@require_POST
@role_required(access.can_admin_params)
def param_decide(request: HttpRequest, change_id: int) -> HttpResponse:
    change = get_object_or_404(ParameterChange, pk=change_id)
    form = ParamDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择通过或驳回")
        return redirect("rules:params")
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["decision"] == "approve":
            services.param_change_approve(actor=request.user, change=change, note=note, client_ip=client_ip(request))
            messages.success(request, f"调整申请 {change.pk} 已审核通过并生效")
        else:
            services.param_change_reject(actor=request.user, change=change, note=note, client_ip=client_ip(request))
            messages.success(request, f"调整申请 {change.pk} 已驳回")
    except services.RulesError as exc:
        messages.error(request, str(exc))
    return redirect("rules:params")
