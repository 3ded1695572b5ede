"""老年助餐: pages. Thin: access + services + selectors."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.dates import DateInputError, parse_day
from minzheng.core.decorators import role_required
from minzheng.eldercare.money import yuan
from minzheng.meals import access, selectors, services
from minzheng.meals.exports import settlement_export
from minzheng.meals.forms import CancelForm, CanteenForm, MenuForm, MonthForm, OrderForm
from minzheng.meals.models import Canteen, Menu
from minzheng.registry.access import persons_visible_to
from minzheng.registry.services import number_lookup


@role_required(access.can_use_meals)
def canteens(request: HttpRequest) -> HttpResponse:
    form = CanteenForm(request.POST or None)
    if request.method == "POST":
        access.require(access.can_admin_canteens(request.user))
        if form.is_valid() and not form.cleaned_data["division_code"].startswith(request.user.jurisdiction):
            form.add_error("division_code", "不在您的管辖范围内")
        if form.is_valid():
            canteen = services.canteen_create(actor=request.user, client_ip=client_ip(request), **form.cleaned_data)
            messages.success(request, f"已新增助餐点 {canteen.name}")
            return redirect("meals:canteen", canteen_id=canteen.pk)
    ctx = {
        "canteens": selectors.canteens_view(actor=request.user, client_ip=client_ip(request)),
        "form": form,
        "can_admin": access.can_admin_canteens(request.user),
    }
    return render(request, "meals/canteens.html", ctx, status=400 if form.errors else 200)


def _back(canteen_id: int, day: dt.date) -> HttpResponse:
    return redirect(f"{reverse('meals:canteen', args=[canteen_id])}?day={day.isoformat()}")


def _day(request: HttpRequest) -> dt.date:
    """The day in the address, or today; a year like 0001 would overflow the week arithmetic."""
    text = request.GET.get("day", "")
    if not text:
        return timezone.localdate()
    try:
        return parse_day(text, "日期")
    except DateInputError as exc:
        messages.error(request, f"{exc}，已显示今天")
        return timezone.localdate()


def _canteen_page(
    request: HttpRequest, canteen: Canteen, day: dt.date, status: int = 200, **forms: object
) -> HttpResponse:
    ctx = {
        "canteen": canteen,
        "day": day,
        "week": selectors.week_menus(canteen, day),
        "prev_week": day - dt.timedelta(days=7),
        "next_week": day + dt.timedelta(days=7),
        "orders": selectors.day_orders_view(actor=request.user, canteen=canteen, day=day, client_ip=client_ip(request)),
        "can_manage": access.can_manage(request.user, canteen),
        "can_order": access.can_order(request.user),
        "menu_form": forms.get("menu_form") or MenuForm(initial={"date": day}),
        "order_form": forms.get("order_form") or OrderForm(initial={"date": day}),
    }
    return render(request, "meals/canteen.html", ctx, status=status)


@role_required(access.can_use_meals)
def canteen_detail(request: HttpRequest, canteen_id: int) -> HttpResponse:
    return _canteen_page(request, access.access_canteen(request.user, canteen_id), _day(request))


@require_POST
@role_required(access.can_use_meals)
def menu_publish(request: HttpRequest, canteen_id: int) -> HttpResponse:
    canteen = access.access_canteen(request.user, canteen_id)
    access.require(access.can_manage(request.user, canteen))
    form = MenuForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.menu_publish(
                actor=request.user,
                canteen=canteen,
                date=data["date"],
                meal=data["meal"],
                dishes=data["dishes"],
                price_fen=form.price_fen(),
                client_ip=client_ip(request),
            )
        except services.MealsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "菜单已发布")
            return _back(canteen.pk, data["date"])
    return _canteen_page(request, canteen, _day(request), 400, menu_form=form)


@require_POST
@role_required(access.can_order)
def order_place(request: HttpRequest, canteen_id: int) -> HttpResponse:
    canteen = access.access_canteen(request.user, canteen_id)
    form = OrderForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        refused = number_lookup(
            actor=request.user, number=data["id_number"], purpose="助餐订餐", client_ip=client_ip(request)
        )
        persons = persons_visible_to(request.user)
        person = None if refused else persons.filter(id_number=data["id_number"].upper()).first()
        menu = Menu.objects.filter(canteen=canteen, date=data["date"], meal=data["meal"]).first()
        if refused:
            form.add_error("id_number", refused)
        elif person is None:
            form.add_error("id_number", "本辖区没有该身份号码的居民")
        elif menu is None:
            form.add_error("meal", f"{canteen.name} 未发布 {data['date']} 的该餐次菜单")
        else:
            try:
                order = services.order_place(
                    actor=request.user,
                    menu=menu,
                    person=person,
                    mode=data["mode"],
                    now=timezone.now(),
                    client_ip=client_ip(request),
                )
            except services.MealsError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"已为 {person.name} 订餐：补贴 {yuan(order.subsidy_fen)} 元，自付 {yuan(order.pay_fen)} 元",
                )
                return _back(canteen.pk, data["date"])
    return _canteen_page(request, canteen, _day(request), 400, order_form=form)


@require_POST
@role_required(access.can_use_meals)
def order_hand_over(request: HttpRequest, order_id: int) -> HttpResponse:
    order = access.access_order(request.user, order_id)
    access.require(access.can_manage(request.user, order.menu.canteen))
    try:
        services.order_hand_over(actor=request.user, order=order, now=timezone.now(), client_ip=client_ip(request))
    except services.MealsError as exc:
        messages.error(request, str(exc))
    return _back(order.menu.canteen_id, order.menu.date)


@require_POST
@role_required(access.can_use_meals)
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    order = access.access_order(request.user, order_id)
    access.require(access.can_order(request.user) or access.can_manage(request.user, order.menu.canteen))
    form = CancelForm(request.POST)
    try:
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.order_cancel(actor=request.user, order=order, reason=reason, client_ip=client_ip(request))
    except services.MealsError as exc:
        messages.error(request, str(exc))
    return _back(order.menu.canteen_id, order.menu.date)


@role_required(access.can_use_meals)
def settlements(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.POST or None)
    if request.method == "POST":
        canteen = access.access_canteen(request.user, int(request.POST.get("canteen") or 0))
        access.require(access.can_build_settlement(request.user, canteen))
        if form.is_valid():
            month = dt.date.fromisoformat(form.cleaned_data["month"] + "-01")
            try:
                built = services.settlement_build(
                    actor=request.user, canteen=canteen, month=month, now=timezone.now(), client_ip=client_ip(request)
                )
            except services.MealsError as exc:
                messages.error(request, str(exc))
            else:
                return redirect("meals:settlement", settlement_id=built.pk)
    ctx = {
        "settlements": selectors.settlements_view(actor=request.user, client_ip=client_ip(request)),
        "canteens": [c for c in selectors.canteens(request.user) if access.can_build_settlement(request.user, c)],
        "form": form,
    }
    return render(request, "meals/settlements.html", ctx, status=400 if form.errors else 200)


@role_required(access.can_use_meals)
def settlement_detail(request: HttpRequest, settlement_id: int) -> HttpResponse:
    settlement = access.access_settlement(request.user, settlement_id)
    selectors.settlement_view(actor=request.user, settlement=settlement, client_ip=client_ip(request))
    ctx = {"s": settlement, "can_approve": access.can_approve(request.user) and settlement.status == "draft"}
    return render(request, "meals/settlement.html", ctx)


@require_POST
@role_required(access.can_approve)
def settlement_approve(request: HttpRequest, settlement_id: int) -> HttpResponse:
    settlement = access.access_settlement(request.user, settlement_id)
    try:
        services.settlement_approve(
            actor=request.user, settlement=settlement, now=timezone.now(), client_ip=client_ip(request)
        )
    except services.MealsError as exc:
        messages.error(request, str(exc))
    return redirect("meals:settlement", settlement_id=settlement.pk)


@role_required(access.can_use_meals)
def settlement_download(request: HttpRequest, settlement_id: int) -> HttpResponse:
    settlement = access.access_settlement(request.user, settlement_id)
    path = settlement_export(actor=request.user, settlement=settlement, client_ip=client_ip(request))
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
