"""信用+ pages: the village's rules, households' balances (masked), one household's ledger with the points
and redemption forms (audited read), the 信用超市 shelf and the 信用基金."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.governance import access, exports, forms, selectors
from minzheng.governance import services_credit as svc
from minzheng.governance.models import CreditAccount, CreditRule, FundEntry, ShopItem
from minzheng.governance.services import read_recorded
from minzheng.governance.views_common import REFUSALS, form_page, post_step

BACK = "/governance/credit/"


def _rules(user: Any) -> list[CreditRule]:
    today = timezone.localdate()
    codes = [c for c, _ in forms.division_choices(user, towns=False)]
    return [r for code in codes[:20] for r in svc.rules_in_force(code, today)]


@role_required(access.can_read)
def credit_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.GET.get("export") == "xlsx":
        name, data = exports.credit_xlsx(user, client_ip=client_ip(request))
        response = HttpResponse(data, content_type=exports.XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    work = access.can_work(user)
    funds = selectors.funds(user)
    context = {
        "rules": _rules(user),
        "rows": selectors.credit_rows(user),
        "without": selectors.households_without_account(user) if work else [],
        "shop": selectors.shop(user),
        "funds": funds,
        "fund_entries": FundEntry.objects.filter(fund__in=funds).order_by("-pk")[:20],
        "writable": work,
        "villages": forms.division_choices(user, towns=False) if work else [],
        "item_form": forms.ItemForm(user=user) if work else None,
        "fund_form": forms.FundForm(user=user) if work else None,
        "payout_form": forms.PayoutForm(user=user) if work else None,
    }
    return render(request, "governance/credit.html", context)


@require_POST
@role_required(access.can_work)
def rules_adopt(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("division_code", "")
    try:
        made = svc.rules_adopt(
            code, effective_from=timezone.localdate(), actor=request.user, client_ip=client_ip(request)
        )
    except REFUSALS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已采用默认积分规则 {len(made)} 条" if made else "该村（社区）已采用默认积分规则")
    return redirect(BACK)


@role_required(access.can_work)
def rule_new(request: HttpRequest) -> HttpResponse:
    form = forms.RuleForm(request.POST or None, user=request.user, initial={"effective_from": timezone.localdate()})

    def run(d: dict[str, Any], ip: str) -> CreditRule:
        return svc.rule_set(**d, actor=request.user, client_ip=ip)

    note = "规则属于本村（社区）：新增条目，或按原编号修订分值、上限（原版本在新版本生效前一日停用，已记的积分不变）。"
    return form_page(request, form, "新增或修订积分规则", run, lambda _: BACK, note)


@role_required(access.can_read)
def household_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    household = access.household_for(request.user, pk)
    account = CreditAccount.objects.filter(household=household).first()
    read_recorded(
        request.user, "gov_credit", household.pk, f"查看户 {household.household_no} 信用积分明细", client_ip(request)
    )
    today = timezone.localdate()
    rules = CreditRule.objects.filter(pk__in=[r.pk for r in svc.rules_in_force(household.division_id, today)])
    items = ShopItem.objects.filter(division_code=household.division_id, active=True, stock__gt=0)
    work = access.can_work(request.user)
    context = {
        "h": household,
        "head": selectors.heads([household]).get(household.pk, "—"),
        "account": account,
        "entries": account.entries.select_related("rule")[:100] if account else [],
        "points_form": forms.PointsForm(rules=rules, initial={"on": today}) if work else None,
        "redeem_form": forms.RedeemForm(items=items) if work else None,
    }
    return render(request, "governance/household.html", context)


@require_POST
@role_required(access.can_work)
def points_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = access.household_for(request.user, pk)
    rules = CreditRule.objects.filter(division_code=household.division_id)
    form = forms.PointsForm(request.POST, rules=rules)
    user = request.user

    def run(d: dict[str, Any], ip: str) -> Any:
        return svc.points_record(household, d["rule"], on=d["on"], evidence=d["evidence"], actor=user, client_ip=ip)

    return post_step(request, form, run, f"/governance/credit/households/{pk}/", "已记积分")


@require_POST
@role_required(access.can_work)
def redeem(request: HttpRequest, pk: int) -> HttpResponse:
    household = access.household_for(request.user, pk)
    form = forms.RedeemForm(request.POST, items=ShopItem.objects.filter(division_code=household.division_id))
    user = request.user

    def run(d: dict[str, Any], ip: str) -> Any:
        return svc.redeem(household, d["item"], quantity=d["quantity"], actor=user, client_ip=ip)

    return post_step(request, form, run, f"/governance/credit/households/{pk}/", "已兑换")


@require_POST
@role_required(access.can_work)
def item_add(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.ItemForm(request.POST, user=user)
    return post_step(request, form, lambda d, ip: svc.item_add(**d, actor=user, client_ip=ip), BACK, "已上架")


@require_POST
@role_required(access.can_work)
def item_restock(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.access(request.user, ShopItem, pk, write=True)
    try:
        quantity = int(request.POST.get("quantity", "0"))
        svc.item_restock(item, quantity=quantity, actor=request.user, client_ip=client_ip(request))
    except ValueError as exc:  # GovernanceError is a ValueError; so is a non-number
        messages.error(request, str(exc) if isinstance(exc, REFUSALS) else "入库数量：应为整数")
    else:
        messages.success(request, f"{item.name} 已入库")
    return redirect(BACK)


@require_POST
@role_required(access.can_work)
def fund_deposit(request: HttpRequest) -> HttpResponse:
    user = request.user

    def run(d: dict[str, Any], ip: str) -> Any:
        return svc.fund_deposit(
            division_code=d["division_code"], kind=d["kind"], amount_fen=forms.fen(d["amount_yuan"]) or 0,
            counterpart=d["counterpart"], actor=user, client_ip=ip,
        )  # fmt: skip

    return post_step(request, forms.FundForm(request.POST, user=user), run, BACK, "信用基金已入账")


@require_POST
@role_required(access.can_work)
def fund_payout(request: HttpRequest) -> HttpResponse:
    user = request.user

    def run(d: dict[str, Any], ip: str) -> Any:
        return svc.fund_payout(
            division_code=d["division_code"], amount_fen=forms.fen(d["amount_yuan"]) or 0, since=d["since"],
            actor=user, client_ip=ip,
        )  # fmt: skip

    return post_step(request, forms.PayoutForm(request.POST, user=user), run, BACK, "已按积分发放")
