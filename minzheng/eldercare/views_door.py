"""Phone pages at the door (caregiver) and at home (family, by a link with a token, no account).

Check-in and check-out post the phone's own time (`client_at`) and GPS. The page's script
(static eldercare/door.js) queues a check-in made without a connection in localStorage and
sends it when the phone is back online: the server keeps both its own and the phone's time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.audit.services import client_ip
from minzheng.core.dates import next_working_day
from minzheng.core.decorators import role_required
from minzheng.eldercare import access, orders, selectors, services
from minzheng.eldercare.entitlements import param_int
from minzheng.eldercare.forms import CheckOutForm, GpsForm, OrderForm, PhotoForm, ReasonForm
from minzheng.eldercare.lifecycle import TransitionError
from minzheng.eldercare.models import Order, OrderChannel, OrderStatus
from minzheng.eldercare.services import EldercareError

Refused = (TransitionError, EldercareError, LookupError)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@role_required(access.is_caregiver)
def my_orders(request: HttpRequest) -> HttpResponse:
    rows = selectors.my_orders(request.user, timezone.localdate())
    return render(request, "eldercare/my_orders.html", {"rows": rows})


def _door_context(order: Order, **extra: object) -> dict[str, object]:
    lines = list(order.lines.select_related("item"))
    elder = order.elder
    profile = selectors.elder_profile(elder)
    return {
        "order": order,
        "lines": lines,
        "kinds": set(order.photos.values_list("kind", flat=True)),
        "photos": list(order.photos.all()),
        "ent": profile.entitlement,
        "address": profile.address,
        "has_location": elder.lat is not None and elder.lng is not None,
        "gps_form": GpsForm(),
        "out_form": CheckOutForm(lines=lines, initial={"done": [ln.pk for ln in lines]}),
        "photo_form": PhotoForm(),
        "reason_form": ReasonForm(),
        "S": OrderStatus,
        "radius": param_int("eldercare.checkin_radius_m", elder.division_code, timezone.localdate()).value,
        **extra,
    }


@role_required(access.is_caregiver)
def my_order(request: HttpRequest, order_id: int) -> HttpResponse:
    order = access.access_caregiver_order(request.user, order_id)
    services.elder_view(actor=request.user, elder=order.elder, via="caregiver", client_ip=client_ip(request))
    return render(request, "eldercare/my_order.html", _door_context(order))


def _done(request: HttpRequest, order: Order, text: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": True, "status": order.status, "message": text})
    messages.success(request, text)
    return redirect("eldercare:my_order", order_id=order.pk)


def _refused(request: HttpRequest, order: Order, exc: Exception) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": str(exc)}, status=400)
    messages.error(request, str(exc))
    return redirect("eldercare:my_order", order_id=order.pk)


@require_POST
@role_required(access.is_caregiver)
def my_order_step(request: HttpRequest, order_id: int, act: str) -> HttpResponse:
    """接单 / 拒单 / 签到 / 开始服务 / 未上门 (check-out has its own view)."""
    order = access.access_caregiver_order(request.user, order_id)
    ip = client_ip(request)
    gps = GpsForm(request.POST)
    if not gps.is_valid():  # a garbled position or phone time is refused, never silently replaced by ours
        return _refused(request, order, TransitionError("定位或手机时间格式不正确，请重试"))
    g = gps.cleaned_data
    try:
        if act == "accept":
            orders.order_accept(actor=request.user, order=order, client_ip=ip)
            text = "已接单"
        elif act == "decline":
            orders.order_decline(actor=request.user, order=order, reason=request.POST.get("reason", ""), client_ip=ip)
            text = "已拒单，订单退回待派"
        elif act == "check_in":
            orders.order_check_in(
                actor=request.user, order=order, lat=g.get("lat"), lng=g.get("lng"), client_at=g.get("client_at"),
                reason=g.get("reason", ""), client_ip=ip,
            )  # fmt: skip
            text = "已签到" + (
                f"，距登记住址 {order.checkin_distance_m} 米" if order.checkin_distance_m is not None else ""
            )
        elif act == "start":
            orders.order_start(actor=request.user, order=order, client_at=g.get("client_at"), client_ip=ip)
            text = "开始服务"
        elif act == "miss":
            orders.order_miss(actor=request.user, order=order, reason=request.POST.get("reason", ""), client_ip=ip)
            text = "已记录未上门"
        else:
            raise Http404("无此操作")
    except Refused as exc:
        return _refused(request, order, exc)
    return _done(request, order, text)


@require_POST
@role_required(access.is_caregiver)
def my_order_photo(request: HttpRequest, order_id: int) -> HttpResponse:
    order = access.access_caregiver_order(request.user, order_id)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, order, TransitionError("请选择照片类型并选择照片文件"))
    try:
        photo = orders.order_photo_add(
            actor=request.user, order=order, kind=form.cleaned_data["kind"], upload=form.cleaned_data["photo"],
            client_ip=client_ip(request),
        )  # fmt: skip
    except Refused as exc:
        return _refused(request, order, exc)
    return _done(request, order, f"已上传{photo.get_kind_display()}照片")


@require_POST
@role_required(access.is_caregiver)
def my_order_check_out(request: HttpRequest, order_id: int) -> HttpResponse:
    order = access.access_caregiver_order(request.user, order_id)
    form = CheckOutForm(request.POST, lines=list(order.lines.select_related("item")))
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return _refused(request, order, TransitionError(str(first)))
    data = form.cleaned_data
    try:
        orders.order_check_out(
            actor=request.user, order=order, lat=data.get("lat"), lng=data.get("lng"), done_line_ids=data["done"],
            confirmed_by=data["confirmed_by"], client_at=data.get("client_at"), reason=data.get("reason", ""),
            client_ip=client_ip(request),
        )  # fmt: skip
    except Refused as exc:
        return _refused(request, order, exc)
    return _done(request, order, f"已签退，服务金额 {order.price_fen / 100:.2f} 元")


@role_required(access.can_read_orders)
def order_photo(request: HttpRequest, order_id: int, photo_id: int) -> HttpResponse:
    order = access.access_order(request.user, order_id)
    photo = order.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404("照片不存在")
    path = (Path(settings.UPLOADS_DIR) / photo.path).resolve()
    if not path.is_relative_to(Path(settings.UPLOADS_DIR).resolve()) or not path.exists():
        raise Http404("照片不存在")
    # A photo of an elder's home and person: every opening is a read of personal data.
    services.order_view(actor=request.user, order=order, via="photo", client_ip=client_ip(request))
    return FileResponse(path.open("rb"))


# ------------------------------------------------------------------ family page (token link)


def family(request: HttpRequest, token: str) -> HttpResponse:
    try:
        elder = access.access_family(token)
    except access.FamilyLinkExpired:
        return render(request, "eldercare/family_expired.html", status=410)
    services.elder_view(actor=None, elder=elder, via="family", client_ip=client_ip(request))
    today = timezone.localdate()
    initial = {"day": next_working_day(today + dt.timedelta(days=1)), "start": dt.time(9, 0)}
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = orders.order_place(
                actor=None, elder=elder, item_codes=[i.code for i in form.cleaned_data["items"]],
                window_start=form.cleaned_data["window_start"], window_end=form.window_end(),
                channel=OrderChannel.FAMILY,
                note=form.cleaned_data["note"], client_ip=client_ip(request),
            )  # fmt: skip
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已预约：订单 {order.pk}，服务商将尽快安排护理员")
            return redirect("eldercare:family", token=token)
    context = {
        "p": selectors.elder_profile(elder, today),
        "bill": selectors.elder_bill(elder, today),
        "form": form,
        "token": token,
    }
    return render(request, "eldercare/family.html", context, status=400 if form.errors else 200)
