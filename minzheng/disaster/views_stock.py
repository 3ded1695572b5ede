"""救灾物资 pages: stock by warehouse and item with expiry, a warehouse's lots (receive, write off),
issuing to a village, and the distribution page where the village signs (phone, drawn signature)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import audit_record, client_ip
from minzheng.core.decorators import role_required
from minzheng.core.jurisdiction import covers, prefix_q
from minzheng.disaster import access, forms, selectors
from minzheng.disaster import services_stock as stock
from minzheng.disaster.items import EXPIRY_WARN
from minzheng.disaster.models import Item, Lot, Warehouse
from minzheng.disaster.views import _errors
from minzheng.divisions.models import Division
from minzheng.payments.sources import param_int


def _warn_days(user: Any) -> int:
    return param_int(EXPIRY_WARN, user.jurisdiction, timezone.localdate(), 90)


@role_required(access.can_run)
def stock_page(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    houses = access.warehouses_visible_to(user)
    context = {
        "warehouses": houses.order_by("code"),
        "rows": selectors.stock_rows(houses, timezone.localdate(), _warn_days(user)),
        "movements": selectors.movements(houses),
        "warn_days": _warn_days(user),
        "warehouse_form": forms.WarehouseForm(initial={"division_code": user.jurisdiction}),
        "item_form": forms.ItemForm(),
        "events": access.events_visible_to(user).order_by("-started_on")[:20],
    }
    return render(request, "disaster/stock.html", context)


@require_POST
@role_required(access.can_run)
def catalogue_add(request: HttpRequest, what: str) -> HttpResponse:
    """A warehouse (inside the jurisdiction) or an item of the catalogue."""
    user: Any = request.user
    form: Any = forms.WarehouseForm(request.POST) if what == "warehouse" else forms.ItemForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("disaster:stock")
    d = form.cleaned_data
    if what == "warehouse" and not covers(user.jurisdiction, d["division_code"]):
        messages.error(request, f"所在区划代码：{d['division_code']} 超出您的管辖范围")
        return redirect("disaster:stock")
    model: Any = Warehouse if what == "warehouse" else Item
    if model.objects.filter(code=d["code"]).exists():
        messages.error(request, f"编号：{d['code']} 已存在")
        return redirect("disaster:stock")
    with transaction.atomic():
        obj = model.objects.create(**d)
        audit_record(
            actor=user, action="create", object_type="disaster_stock", object_id=f"{what}:{obj.pk}",
            summary=f"登记{'储备库' if what == 'warehouse' else '物资品目'} {obj.name}", client_ip=client_ip(request),
        )  # fmt: skip
    messages.success(request, f"已登记 {obj.name}")
    return redirect("disaster:stock")


@role_required(access.can_run)
def warehouse(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    house = access.access_warehouse(user, pk)
    form = forms.ReceiveForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                stock.lot_receive(
                    house, d["item"].pk, batch_no=d["batch_no"], quantity=d["quantity"], received_on=d["received_on"],
                    expires_on=d["expires_on"], source=d["source"], actor=user, client_ip=client_ip(request),
                )  # fmt: skip
            except stock.StockError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已入库 {d['item'].name} {d['quantity']}{d['item'].unit}")
                return redirect("disaster:warehouse", pk=house.pk)
        else:
            _errors(request, form)
    today = timezone.localdate()
    context = {"house": house, "lots": selectors.lots_of(house), "form": form, "today": today}
    return render(request, "disaster/warehouse.html", context)


@require_POST
@role_required(access.can_run)
def write_off(request: HttpRequest, pk: int) -> HttpResponse:
    house = access.access_warehouse(request.user, pk)
    form = forms.WriteOffForm(request.POST)
    if form.is_valid():
        lot = Lot.objects.filter(pk=form.cleaned_data["lot"], warehouse=house).select_related("item").first()
        try:
            if lot is None:
                raise stock.StockError("批次不存在")
            d = form.cleaned_data
            stock.lot_write_off(
                lot, d["quantity"], actor=request.user, reason=d["reason"], client_ip=client_ip(request)
            )
        except stock.StockError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已报损")
    else:
        _errors(request, form)
    return redirect("disaster:warehouse", pk=house.pk)


@role_required(access.can_run)
def issue(request: HttpRequest) -> HttpResponse:
    """发放: warehouse, receiving village, one quantity per item (all or nothing)."""
    user: Any = request.user
    houses = access.warehouses_visible_to(user).order_by("code")
    events = access.events_visible_to(user).order_by("-started_on")[:20]
    items = Item.objects.order_by("name")
    if request.method == "POST":
        house = access.access_warehouse(user, int(request.POST.get("warehouse") or 0))
        event = access.access_event(user, int(request.POST["event"])) if request.POST.get("event") else None
        lines = [stock.Line(i.pk, _int(request.POST.get(f"qty_{i.pk}"))) for i in items]
        try:
            dist = stock.distribution_issue(
                house, request.POST.get("village", "").strip(), lines, event=event, actor=user,
                note=request.POST.get("note", ""), client_ip=client_ip(request),
            )  # fmt: skip
        except stock.StockError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已发放，待村（社区）签收")
            return redirect("disaster:distribution", pk=dist.pk)
    today = timezone.localdate()
    avail = {(h.pk, i.pk): stock.available(h, i.pk, today) for h in houses for i in items}
    rows = [{"item": i, "avail": [(h, avail[(h.pk, i.pk)]) for h in houses]} for i in items]
    villages = Division.objects.filter(prefix_q("code", user.jurisdiction), level=5).order_by("code")
    context = {"houses": houses, "events": events, "rows": rows, "post": request.POST, "villages": villages}
    return render(request, "disaster/issue.html", context)


def _int(raw: Any) -> int:
    try:
        return int(str(raw or "0").strip() or 0)
    except ValueError:
        return -1  # refused by the service with the field's name


@role_required(access.can_read)
def distribution(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    dist = access.access_distribution(user, pk)
    context = {
        "dist": dist,
        "lines": selectors.distribution_lines(dist),
        "can_sign": access.can_report(user) and dist.received_at is None,
        "can_return": access.can_run(user),
        "village": selectors.names({dist.division_code}).get(dist.division_code, ""),
    }
    return render(request, "disaster/distribution.html", context)


@require_POST
@role_required(access.can_report)
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    dist = access.access_distribution(request.user, pk)
    try:
        stock.receipt_sign(
            dist, received_by=request.POST.get("received_by", ""), signature_png=request.POST.get("signature", ""),
            actor=request.user, client_ip=client_ip(request),
        )  # fmt: skip
    except stock.StockError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已签收")
    return redirect("disaster:distribution", pk=dist.pk)


@require_POST
@role_required(access.can_run)
def give_back(request: HttpRequest, pk: int) -> HttpResponse:
    dist = access.access_distribution(request.user, pk)
    form = forms.ReturnForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        lot = Lot.objects.filter(pk=d["lot"], warehouse=dist.warehouse).select_related("item").first()
        try:
            if lot is None:
                raise stock.StockError("批次不存在")
            stock.distribution_return(
                dist, lot, d["quantity"], actor=request.user, reason=d["reason"], client_ip=client_ip(request)
            )
        except stock.StockError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记退回入库")
    else:
        _errors(request, form)
    return redirect("disaster:distribution", pk=dist.pk)


@role_required(access.can_read)
def signature(request: HttpRequest, pk: int) -> HttpResponse:
    from minzheng.documents.services import attachment_read

    dist = access.access_distribution(request.user, pk)
    if dist.signature is None:
        from django.http import Http404

        raise Http404("尚未签收")
    data = attachment_read(dist.signature, actor=request.user, client_ip=client_ip(request))
    return HttpResponse(data, content_type="image/png")
