"""Order lifecycle services: every transition is one function, one transaction, one audit row.

The allowed steps are the order machine (`data/order_machine.yaml`, loaded in `lifecycle.py`);
`_transition` moves the order through the workflow kernel, which refuses anything else, writes the
history row and the typed audit event, and wins or loses a race by compare-and-set.
Instant dispatch calls the Django-free engine `eldercare.dispatch.assign_nearest`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.eldercare import dispatch
from minzheng.eldercare.entitlements import DONE, entitlement, minutes_in_month, param_int
from minzheng.eldercare.lifecycle import MACHINE, TransitionError, check
from minzheng.eldercare.models import (
    Caregiver,
    Elder,
    Order,
    OrderChannel,
    OrderLine,
    OrderPhoto,
    OrderStatus,
    OrderTransition,
    Qualification,
    ServiceItem,
)
from minzheng.eldercare.money import split
from minzheng.workflow import services as workflow
from minzheng.workflow.services import Binding, TransitionRefused

S = OrderStatus
BUSY = (S.DISPATCHED, S.ACCEPTED, S.CHECKED_IN, S.IN_SERVICE)
CLOCK_SKEW = dt.timedelta(minutes=5)  # a phone clock this far ahead of the server is refused
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
PHOTO_MAX_BYTES = 8 * 1024 * 1024


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


workflow.bind(Order, Binding(object_type="eldercare_order", machine=lambda order: MACHINE, state_field="status"))
# Every other field a service set on the order goes into the kernel's one UPDATE (what save() wrote before).
_KEPT = [f.attname for f in Order._meta.concrete_fields if not f.primary_key and f.attname != "status"]


def _transition(
    order: Order,
    target: str,
    *,
    actor: Any,
    reason: str = "",
    client_at: dt.datetime | None = None,
    client_ip: str = "",
    data: dict[str, Any] | None = None,
) -> str:
    """Check the machine, move the order through the kernel, and keep the page's transition row."""
    current = order.status
    action = check(order.pk, current, target)
    if MACHINE.find(current, target).reason and not reason.strip():  # type: ignore[union-attr]
        raise TransitionError(f"订单 {order.pk}：{action}须说明原因")
    details = {**({"client_at": client_at.isoformat()} if client_at else {}), **(data or {})}
    try:
        workflow.transition(
            order,
            target,
            actor=actor,
            reason=reason,
            data=details,
            changes={name: getattr(order, name) for name in _KEPT},
            client_ip=client_ip,
        )
    except TransitionRefused as exc:  # e.g. another operator moved the order first
        raise TransitionError(f"订单 {order.pk}：{exc}") from exc
    OrderTransition.objects.create(
        order=order, from_status=current, to_status=target, actor=_actor_user(actor), client_at=client_at, reason=reason
    )
    return action


# ------------------------------------------------------------------ placing


def _required_qualification(items: list[ServiceItem]) -> str:
    needed = sorted({i.qualification for i in items if i.qualification})
    if len(needed) > 1:
        names = "、".join(Qualification(q).label if q in Qualification.values else q for q in needed)
        raise TransitionError(f"所选项目需要不同资质的护理员（{names}），请分开下单")
    return needed[0] if needed else ""


@transaction.atomic
def order_place(
    *,
    actor: Any,
    elder: Elder,
    item_codes: list[str],
    window_start: dt.datetime,
    window_end: dt.datetime | None = None,
    channel: str,
    note: str = "",
    caller_phone: str = "",
    client_ip: str = "",
) -> Order:
    """下单: the items' standard minutes and prices are copied into the order's lines."""
    if not elder.active:
        raise TransitionError(f"{elder.person.name} 不在服务中，不能下单")
    items = list(ServiceItem.objects.filter(code__in=item_codes, active=True))
    unknown = sorted(set(item_codes) - {i.code for i in items})
    if unknown or not item_codes:
        raise TransitionError("请选择服务项目" if not item_codes else "未知服务项目：" + "、".join(unknown))
    _required_qualification(items)
    minutes = sum(i.standard_minutes for i in items)
    window_end = window_end or window_start + dt.timedelta(minutes=minutes)
    if window_end <= window_start:
        raise TransitionError("预约时段的结束时间应晚于开始时间")
    order = Order.objects.create(
        elder=elder,
        channel=channel,
        division_code=elder.division_code,
        window_start=window_start,
        window_end=window_end,
        minutes=minutes,
        price_fen=sum(i.price_fen for i in items),
        note=note,
        caller_phone=caller_phone,
        created_by=_actor_user(actor),
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, item=i, minutes=i.standard_minutes, price_fen=i.price_fen, qualification=i.qualification)
        for i in items
    )
    OrderTransition.objects.create(order=order, from_status="", to_status=S.PLACED, actor=_actor_user(actor))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="eldercare_order",
        object_id=order.pk,
        summary=f"为 {elder.person.name} 下单：" + "、".join(i.name for i in items),
        client_ip=client_ip,
        data={"channel": channel},
    )
    workflow.start(order, actor=actor, client_ip=client_ip)  # the history's first row: 开始 → 已下单
    return order


# ------------------------------------------------------------------ dispatch


def engine_caregiver(c: Caregiver, busy: list[tuple[dt.datetime, dt.datetime]]) -> dispatch.Caregiver:
    return dispatch.Caregiver(
        id=c.pk,
        lat=c.home_lat,
        lng=c.home_lng,
        qualifications=frozenset(c.qualifications),
        work_start=c.work_start,
        work_end=c.work_end,
        weekdays=frozenset(c.work_days if c.work_days else range(7)),
        busy=tuple(busy),
        name=c.name,
    )


def dispatch_candidates(order: Order) -> list[dispatch.Caregiver]:
    """Active caregivers of providers serving the elder's village, with that day's bookings."""
    local_start = timezone.localtime(order.window_start)
    day_start = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
    pool = [
        c
        for c in Caregiver.objects.filter(active=True, provider__active=True).select_related("provider")
        if c.provider.serves(order.division_code)
    ]
    bookings: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {c.pk: [] for c in pool}
    for o in Order.objects.filter(
        caregiver_id__in=bookings,
        status__in=BUSY,
        window_start__gte=day_start,
        window_start__lt=day_start + dt.timedelta(days=1),
    ).exclude(pk=order.pk):
        start = timezone.localtime(o.window_start).replace(tzinfo=None)
        bookings[o.caregiver_id].append((start, start + dt.timedelta(minutes=o.minutes)))
    return [engine_caregiver(c, bookings[c.pk]) for c in pool]


def order_required_qualification(order: Order) -> str:
    return next((q for q in order.lines.values_list("qualification", flat=True) if q), "")


def assign_nearest_for(order: Order) -> tuple[Caregiver, int]:
    """The seam to the dispatch engine: nearest qualified, on-duty, free caregiver within the radius."""
    elder = order.elder
    if elder.lat is None or elder.lng is None:
        raise TransitionError(f"{elder.person.name} 未登记住址坐标，无法就近派单，请指定护理员")
    radius_km = param_int("eldercare.dispatch_radius_km", elder.division_code, order.window_start.date())
    start = timezone.localtime(order.window_start).replace(tzinfo=None)
    wanted = dispatch.Order(
        id=order.pk,
        lat=elder.lat,
        lng=elder.lng,
        qualification=order_required_qualification(order),
        start=start,
        minutes=order.minutes,
    )
    found = dispatch.assign_nearest(wanted, dispatch_candidates(order), radius_m=radius_km.value * 1000, now=start)
    if found is None:
        raise TransitionError(
            f"订单 {order.pk}：{radius_km.value} 公里内没有该时段空闲且具备资质的护理员，请改约时间或指定护理员"
        )
    return Caregiver.objects.select_related("provider").get(pk=found.caregiver_id), found.distance_m


@transaction.atomic
def order_dispatch(*, actor: Any, order: Order, caregiver: Caregiver | None = None, client_ip: str = "") -> Order:
    """派单: to the given caregiver, or to the nearest one the engine finds."""
    # Lock the row so two operators cannot dispatch the same order; keep the caller's instance current.
    Order.objects.select_for_update().filter(pk=order.pk).first()
    order.refresh_from_db()
    check(order.pk, order.status, S.DISPATCHED)
    distance = None
    if caregiver is None:
        caregiver, distance = assign_nearest_for(order)
    else:
        needed = order_required_qualification(order)
        if not caregiver.has(needed):
            raise TransitionError(f"护理员 {caregiver.name} 没有该订单所需的资质")
    order.caregiver, order.provider = caregiver, caregiver.provider
    _transition(
        order,
        S.DISPATCHED,
        actor=actor,
        client_ip=client_ip,
        data={"caregiver": caregiver.pk, "distance_m": distance, "auto": distance is not None},
    )
    return order


@transaction.atomic
def order_accept(*, actor: Any, order: Order, client_ip: str = "") -> Order:
    _transition(order, S.ACCEPTED, actor=actor, client_ip=client_ip)
    return order


@transaction.atomic
def order_decline(*, actor: Any, order: Order, reason: str, client_ip: str = "") -> Order:
    """拒单: back to 已下单 without a caregiver, to be dispatched again."""
    _transition(order, S.PLACED, actor=actor, reason=reason, client_ip=client_ip)
    order.caregiver = order.provider = None
    order.save(update_fields=["caregiver", "provider"])
    return order


# ------------------------------------------------------------------ at the door


def _client_time(client_at: dt.datetime | None) -> dt.datetime | None:
    if client_at is None:
        return None
    if timezone.is_naive(client_at):
        client_at = timezone.make_aware(client_at)
    if client_at > timezone.now() + CLOCK_SKEW:
        raise TransitionError(
            f"手机记录的时间 {timezone.localtime(client_at):%Y-%m-%d %H:%M} 晚于服务器时间，请校准手机时间"
        )
    return client_at


def _distance(order: Order, lat: float | None, lng: float | None, reason: str, what: str) -> int | None:
    """Metres from the registered address; beyond the configured radius a reason is required."""
    elder = order.elder
    if lat is None or lng is None:
        if not reason.strip():
            raise TransitionError(f"未取得定位，{what}须说明原因")
        return None
    if elder.lat is None or elder.lng is None:
        return None
    metres = round(dispatch.haversine_m(lat, lng, elder.lat, elder.lng))
    radius = param_int("eldercare.checkin_radius_m", elder.division_code, timezone.localdate())
    if metres > radius.value and not reason.strip():
        raise TransitionError(f"{what}位置距登记住址 {metres} 米，超过 {radius.value} 米，请说明原因")
    return metres


@transaction.atomic
def order_check_in(
    *,
    actor: Any,
    order: Order,
    lat: float | None,
    lng: float | None,
    client_at: dt.datetime | None = None,
    reason: str = "",
    client_ip: str = "",
) -> Order:
    """签到 with GPS. An offline check-in arrives later: `client_at` is the phone's time, kept beside ours."""
    client_at = _client_time(client_at)
    if order.status == S.CHECKED_IN and client_at is not None and order.checkin_client_at == client_at:
        return order  # the same queued check-in sent twice over a flaky connection: already recorded
    check(order.pk, order.status, S.CHECKED_IN)
    order.checkin_distance_m = _distance(order, lat, lng, reason, "签到")
    order.checkin_at, order.checkin_client_at = timezone.now(), client_at or timezone.now()
    order.checkin_lat, order.checkin_lng, order.checkin_reason = lat, lng, reason.strip()
    _transition(
        order,
        S.CHECKED_IN,
        actor=actor,
        reason=reason,
        client_at=client_at,
        client_ip=client_ip,
        data={"distance_m": order.checkin_distance_m},
    )
    return order


@transaction.atomic
def order_start(*, actor: Any, order: Order, client_at: dt.datetime | None = None, client_ip: str = "") -> Order:
    _transition(order, S.IN_SERVICE, actor=actor, client_at=_client_time(client_at), client_ip=client_ip)
    return order


@transaction.atomic
def order_photo_add(*, actor: Any, order: Order, kind: str, upload: Any, client_ip: str = "") -> OrderPhoto:
    """A before/after photo, saved under UPLOADS_DIR/eldercare/<order>/."""
    if order.status not in (S.CHECKED_IN, S.IN_SERVICE):
        raise TransitionError(f"订单 {order.pk} 当前为“{S(order.status).label}”，签到后才能上传照片")
    if kind not in OrderPhoto.Kind.values:
        raise TransitionError("照片类型应为服务前或服务后")
    suffix = PHOTO_TYPES.get(getattr(upload, "content_type", ""))
    if suffix is None:
        raise TransitionError("照片应为 JPEG、PNG 或 WebP 图片")
    if upload.size > PHOTO_MAX_BYTES:
        raise TransitionError("照片不能超过 8 MB")
    folder = Path(settings.UPLOADS_DIR) / "eldercare" / str(order.pk)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{kind}-{uuid.uuid4().hex[:12]}{suffix}"
    with (folder / name).open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    photo = OrderPhoto.objects.create(order=order, kind=kind, path=f"eldercare/{order.pk}/{name}")
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="eldercare_order",
        object_id=order.pk,
        summary=f"订单 {order.pk}：上传{photo.get_kind_display()}照片",
        client_ip=client_ip,
    )
    return photo


def _settle_amounts(order: Order) -> None:
    """Subsidy and co-payment of a finished order from the month's remaining entitlement (money.py)."""
    if order.channel == OrderChannel.TIMEBANK:  # drawn time-bank hours: the bank's fund pays it all
        order.subsidy_fen, order.copay_fen = order.price_fen, 0
        return
    ent = entitlement(order.elder, timezone.localtime(order.window_start).date())
    before = minutes_in_month(order.elder, ent.month, DONE, exclude=order.pk)
    covered = max(0, ent.entitled_minutes - before)
    parts = split(order.price_fen, share_pct=ent.share_pct, minutes=order.minutes, covered_minutes=covered)
    order.subsidy_fen, order.copay_fen = parts.subsidy_fen, parts.copay_fen


@transaction.atomic
def order_check_out(
    *,
    actor: Any,
    order: Order,
    lat: float | None,
    lng: float | None,
    done_line_ids: list[int],
    confirmed_by: str,
    client_at: dt.datetime | None = None,
    reason: str = "",
    client_ip: str = "",
) -> Order:
    """签退: items done, elder/family confirmation, photos, GPS; then price, split and fraud checks."""
    from minzheng.eldercare.fraud import checks_for_order

    client_at = _client_time(client_at)
    check(order.pk, order.status, S.CHECKED_OUT)
    kinds = set(order.photos.values_list("kind", flat=True))
    if kinds != {OrderPhoto.Kind.BEFORE, OrderPhoto.Kind.AFTER}:
        raise TransitionError("签退前请上传服务前、服务后照片各至少一张")
    lines = list(order.lines.all())
    done = [ln for ln in lines if ln.pk in set(done_line_ids)]
    if not done:
        raise TransitionError("请勾选已完成的服务项目")
    if not confirmed_by.strip():
        raise TransitionError("请老人或家属确认（填写确认人姓名）")
    order.checkout_distance_m = _distance(order, lat, lng, reason, "签退")
    order.checkout_at, order.checkout_client_at = timezone.now(), client_at or timezone.now()
    order.checkout_lat, order.checkout_lng, order.checkout_reason = lat, lng, reason.strip()
    order.confirmed_by = confirmed_by.strip()
    OrderLine.objects.filter(pk__in=[ln.pk for ln in done]).update(done=True)
    order.minutes = sum(ln.minutes for ln in done)
    order.price_fen = sum(ln.price_fen for ln in done)
    _settle_amounts(order)
    _transition(
        order,
        S.CHECKED_OUT,
        actor=actor,
        reason=reason,
        client_at=client_at,
        client_ip=client_ip,
        data={"distance_m": order.checkout_distance_m, "subsidy_fen": order.subsidy_fen, "copay_fen": order.copay_fen},
    )
    checks_for_order(order)
    return order


# ------------------------------------------------------------------ after the visit


@transaction.atomic
def order_follow_up(*, actor: Any, order: Order, result: str, satisfaction: int, client_ip: str = "") -> Order:
    """回访: a call to the elder or family after the visit."""
    if not result.strip():
        raise TransitionError("请填写回访结果")
    if satisfaction not in range(1, 6):
        raise TransitionError("满意度应为 1–5")
    order.followup_result, order.satisfaction = result.strip(), satisfaction
    _transition(order, S.VISITED_BACK, actor=actor, client_ip=client_ip, data={"satisfaction": satisfaction})
    return order


def order_settle(*, actor: Any, order: Order, client_ip: str = "") -> Order:
    """结算: called for each order when its provider's statement is approved (inside that transaction)."""
    _transition(order, S.SETTLED, actor=actor, client_ip=client_ip, data={"statement": order.statement_id})
    return order


@transaction.atomic
def order_cancel(*, actor: Any, order: Order, reason: str, client_ip: str = "") -> Order:
    _transition(order, S.CANCELLED, actor=actor, reason=reason, client_ip=client_ip)
    order.end_reason = reason.strip()
    order.save(update_fields=["end_reason"])
    return order


@transaction.atomic
def order_miss(*, actor: Any, order: Order, reason: str, client_ip: str = "") -> Order:
    """未上门 (e.g. 老人不在家、拒绝服务、护理员未到): recorded with its reason, never billed."""
    _transition(order, S.MISSED, actor=actor, reason=reason, client_ip=client_ip)
    order.end_reason = reason.strip()
    order.save(update_fields=["end_reason"])
    return order
