"""Order lifecycle: the transition table, dispatch, the door (GPS, photos, offline check-in)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.eldercare import orders
from minzheng.eldercare.lifecycle import TRANSITIONS, TransitionError
from minzheng.eldercare.models import OrderStatus, OrderTransition
from minzheng.eldercare.testing import HOME, CareWorld, make_elder
from minzheng.eldercare.tests.helpers import at, finish, photo, place, to_service
from minzheng.workflow import services as workflow
from minzheng.workflow.models import TransitionLog

S = OrderStatus


def test_full_lifecycle_every_step_recorded_and_audited(cast: Any, care: CareWorld) -> None:
    order = finish(cast, place(cast, care.elder, ["SC01"], at(10, 9)))
    orders.order_follow_up(actor=cast.hotline_operator, order=order, result="老人满意", satisfaction=5)
    steps = list(OrderTransition.objects.filter(order=order).values_list("from_status", "to_status"))
    assert steps == [
        ("", S.PLACED),
        (S.PLACED, S.DISPATCHED),
        (S.DISPATCHED, S.ACCEPTED),
        (S.ACCEPTED, S.CHECKED_IN),
        (S.CHECKED_IN, S.IN_SERVICE),
        (S.IN_SERVICE, S.CHECKED_OUT),
        (S.CHECKED_OUT, S.VISITED_BACK),
    ]
    audited = AuditEvent.objects.filter(object_type="eldercare_order", object_id=str(order.pk))
    summaries = list(audited.order_by("pk").values_list("summary", flat=True))
    assert summaries[0].startswith("为 周阿婆 下单：居室清洁")
    # Each step is the workflow kernel's typed event, naming both states.
    assert "居家养老服务订单 派单：已下单 → 已派单" in summaries
    assert "居家养老服务订单 回访：已签退 → 已回访" in summaries
    assert audited.filter(action="transition").count() == 7  # 开始 → 已下单, then six steps
    kernel = [(t.source, t.target) for t in workflow.history(order)]
    assert kernel == [("", S.PLACED), *steps[1:]]
    # placing + 7 transitions (incl. the start) + 2 photos
    assert audited.count() == 10


@pytest.mark.parametrize(
    ("act", "message"),
    [
        ("accept", "当前为“已下单”，不能变为“已接单”"),
        ("check_in", "当前为“已下单”，不能变为“已签到”"),
        ("follow_up", "当前为“已下单”，不能变为“已回访”"),
        ("miss", "当前为“已下单”，不能变为“未上门”"),
    ],
)
def test_illegal_transitions_are_refused_naming_both_states(cast: Any, care: CareWorld, act: str, message: str) -> None:
    order = place(cast, care.elder, ["SC01"], at(10, 9))
    calls = {
        "accept": lambda: orders.order_accept(actor=cast.caregiver, order=order),
        "check_in": lambda: orders.order_check_in(actor=cast.caregiver, order=order, lat=HOME[0], lng=HOME[1]),
        "follow_up": lambda: orders.order_follow_up(
            actor=cast.hotline_operator, order=order, result="好", satisfaction=5
        ),
        "miss": lambda: orders.order_miss(actor=cast.caregiver, order=order, reason="不在家"),
    }
    with pytest.raises(TransitionError, match=message):
        calls[act]()
    order.refresh_from_db()
    assert order.status == S.PLACED


def test_the_table_has_no_way_back_from_the_door(cast: Any, care: CareWorld) -> None:
    assert (S.CHECKED_IN, S.CANCELLED) not in TRANSITIONS
    order = to_service(cast, place(cast, care.elder, ["SC01"], at(10, 9)))
    with pytest.raises(TransitionError, match="当前为“服务中”，不能变为“已取消”"):
        orders.order_cancel(actor=cast.hotline_operator, order=order, reason="家属要求")


def test_cancel_and_missed_need_a_reason_and_keep_it(cast: Any, care: CareWorld) -> None:
    order = place(cast, care.elder, ["SC01"], at(10, 9))
    with pytest.raises(TransitionError, match="取消须说明原因"):
        orders.order_cancel(actor=cast.hotline_operator, order=order, reason=" ")
    orders.order_cancel(actor=cast.hotline_operator, order=order, reason="老人住院")
    order.refresh_from_db()
    assert (order.status, order.end_reason) == (S.CANCELLED, "老人住院")
    other = place(cast, care.elder, ["SC01"], at(11, 9))
    orders.order_dispatch(actor=cast.hotline_operator, order=other)
    orders.order_miss(actor=cast.caregiver, order=other, reason="老人不在家")
    other.refresh_from_db()
    assert (other.status, other.end_reason) == (S.MISSED, "老人不在家")


def test_dispatch_picks_the_nearest_qualified_caregiver(cast: Any, care: CareWorld) -> None:
    basic = orders.order_dispatch(actor=cast.hotline_operator, order=place(cast, care.elder, ["SC01"], at(10, 9)))
    assert basic.caregiver == care.caregiver  # 胡理 is nearer
    nursing = orders.order_dispatch(actor=cast.hotline_operator, order=place(cast, care.elder, ["HM02"], at(10, 14)))
    assert nursing.caregiver == care.nurse  # 血糖监测 needs a nurse


def test_dispatch_skips_a_busy_caregiver_and_refuses_beyond_the_radius(cast: Any, care: CareWorld) -> None:
    orders.order_dispatch(actor=cast.hotline_operator, order=place(cast, care.elder, ["SC01"], at(10, 9)))
    second = orders.order_dispatch(actor=cast.hotline_operator, order=place(cast, care.elder, ["SC01"], at(10, 9, 30)))
    assert second.caregiver == care.nurse
    far = make_elder("远阿公", household_no="YL-0009", serial="413", phone="13800570009", location=(29.90, 121.80))
    with pytest.raises(TransitionError, match="3 公里内没有该时段空闲且具备资质的护理员"):
        orders.order_dispatch(actor=cast.hotline_operator, order=place(cast, far, ["SC01"], at(10, 9)))


def test_a_declined_order_goes_back_to_be_dispatched(cast: Any, care: CareWorld) -> None:
    order = orders.order_dispatch(actor=cast.hotline_operator, order=place(cast, care.elder, ["SC01"], at(10, 9)))
    with pytest.raises(TransitionError, match="拒单须说明原因"):
        orders.order_decline(actor=cast.caregiver, order=order, reason="")
    orders.order_decline(actor=cast.caregiver, order=order, reason="车坏了")
    order.refresh_from_db()
    assert (order.status, order.caregiver) == (S.PLACED, None)


def test_mixed_qualifications_are_refused_at_ordering(cast: Any, care: CareWorld) -> None:
    with pytest.raises(TransitionError, match="需要不同资质"):
        place(cast, care.elder, ["HM02", "MC02"], at(10, 9))


def _accepted(cast: Any, care: CareWorld):  # type: ignore[no-untyped-def]
    order = orders.order_dispatch(actor=cast.hotline_operator, order=place(cast, care.elder, ["SC01"], at(10, 9)))
    return orders.order_accept(actor=cast.caregiver, order=order)


def test_check_in_far_from_the_address_needs_a_reason(cast: Any, care: CareWorld) -> None:
    order = _accepted(cast, care)
    far = (HOME[0] + 0.005, HOME[1])  # about 556 m north
    with pytest.raises(TransitionError, match=r"签到位置距登记住址 556 米，超过 300 米，请说明原因"):
        orders.order_check_in(actor=cast.caregiver, order=order, lat=far[0], lng=far[1])
    orders.order_check_in(actor=cast.caregiver, order=order, lat=far[0], lng=far[1], reason="老人在村口小店")
    order.refresh_from_db()
    assert (order.status, order.checkin_distance_m, order.checkin_reason) == (S.CHECKED_IN, 556, "老人在村口小店")


def test_check_in_without_gps_needs_a_reason(cast: Any, care: CareWorld) -> None:
    order = _accepted(cast, care)
    with pytest.raises(TransitionError, match="未取得定位，签到须说明原因"):
        orders.order_check_in(actor=cast.caregiver, order=order, lat=None, lng=None)


def test_offline_check_in_keeps_the_phones_time_beside_the_servers(cast: Any, care: CareWorld) -> None:
    order = _accepted(cast, care)
    phone_time = timezone.now() - dt.timedelta(minutes=47)  # recorded in a dead zone, sent later
    orders.order_check_in(actor=cast.caregiver, order=order, lat=HOME[0], lng=HOME[1], client_at=phone_time)
    order.refresh_from_db()
    assert order.checkin_client_at == phone_time
    assert order.checkin_at - phone_time >= dt.timedelta(minutes=47)
    step = OrderTransition.objects.get(order=order, to_status=S.CHECKED_IN)
    assert step.client_at == phone_time
    event = AuditEvent.objects.filter(object_type="eldercare_order", summary__contains="签到").get()
    assert TransitionLog.objects.get(pk=event.data["log"]).data["client_at"] == phone_time.isoformat()
    # The queue sends the same check-in again (the first answer was lost): recorded once.
    orders.order_check_in(actor=cast.caregiver, order=order, lat=HOME[0], lng=HOME[1], client_at=phone_time)
    assert OrderTransition.objects.filter(order=order, to_status=S.CHECKED_IN).count() == 1
    with pytest.raises(TransitionError, match="当前为“已签到”，不能变为“已签到”"):
        orders.order_check_in(actor=cast.caregiver, order=order, lat=HOME[0], lng=HOME[1], client_at=timezone.now())


def test_a_phone_clock_in_the_future_is_refused(cast: Any, care: CareWorld) -> None:
    order = _accepted(cast, care)
    with pytest.raises(TransitionError, match="晚于服务器时间"):
        orders.order_check_in(
            actor=cast.caregiver,
            order=order,
            lat=HOME[0],
            lng=HOME[1],
            client_at=timezone.now() + dt.timedelta(hours=1),
        )


def test_check_out_needs_photos_items_and_confirmation(cast: Any, care: CareWorld) -> None:
    order = orders.order_dispatch(actor=cast.hotline_operator, order=place(cast, care.elder, ["SC01"], at(10, 9)))
    orders.order_accept(actor=cast.caregiver, order=order)
    orders.order_check_in(actor=cast.caregiver, order=order, lat=HOME[0], lng=HOME[1])
    orders.order_photo_add(actor=cast.caregiver, order=order, kind="before", upload=photo("before"))
    orders.order_start(actor=cast.caregiver, order=order)
    lines = list(order.lines.values_list("pk", flat=True))

    def out(**kw: Any) -> Any:
        args = {"lat": HOME[0], "lng": HOME[1], "done_line_ids": lines, "confirmed_by": "周阿婆", **kw}
        return orders.order_check_out(actor=cast.caregiver, order=order, **args)

    with pytest.raises(TransitionError, match="服务前、服务后照片各至少一张"):
        out()
    orders.order_photo_add(actor=cast.caregiver, order=order, kind="after", upload=photo("after"))
    with pytest.raises(TransitionError, match="请勾选已完成的服务项目"):
        out(done_line_ids=[])
    with pytest.raises(TransitionError, match="老人或家属确认"):
        out(confirmed_by="")
    out()
    order.refresh_from_db()
    assert order.status == S.CHECKED_OUT and order.checkout_distance_m == 0


def test_photos_must_be_images(cast: Any, care: CareWorld) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    order = _accepted(cast, care)
    orders.order_check_in(actor=cast.caregiver, order=order, lat=HOME[0], lng=HOME[1])
    with pytest.raises(TransitionError, match="JPEG、PNG 或 WebP"):
        orders.order_photo_add(
            actor=cast.caregiver, order=order, kind="before", upload=SimpleUploadedFile("a.txt", b"x", "text/plain")
        )
