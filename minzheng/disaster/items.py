"""灾害救助 on the 待办: warning calls not answered in time (the village), lots about to expire (the
disaster office), materials issued and not yet signed for (the village), villages of an event not yet
stable that have not reported today. Producers: a refresh upserts
what is open now and closes what is gone (an answered call, a lot used up or written off, a receipt)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone

from minzheng.core.masking import mask_name
from minzheng.disaster.models import Call, Distribution, Event, Lot
from minzheng.divisions.models import Division
from minzheng.workitems.services import ItemSpec, items_close_by_producer, producer, refresh

CALL_SOURCE = "disaster_call"
STOCK_SOURCE = "disaster_stock"
RECEIPT_SOURCE = "disaster_receipt"
EXPIRY_WARN = "disaster.stock.expiry_warn_days"
RECEIPT_DAYS = 2  # 系统默认：发放后 2 日未签收列入待办（地方可调）


def _fp(call: Call) -> str:
    return f"disaster:call:{call.pk}"


@producer(CALL_SOURCE, {"disaster_call_unanswered": "预警未叫应"})
def calls_unanswered() -> Iterator[ItemSpec]:
    now = timezone.now()
    calls = Call.objects.filter(answered_at__isnull=True).select_related("contact", "warning").order_by("pk")
    for call in calls:
        due = call.warning.issued_at + dt.timedelta(minutes=call.warning.call_within_minutes)
        if now <= due:
            continue
        tried = f"已拨打 {call.attempts} 次未接通" if call.attempts else "尚未拨打"
        yield ItemSpec(
            source=CALL_SOURCE,
            kind="disaster_call_unanswered",
            title=f"{call.warning.get_level_display()}预警「{call.warning.title}」：{mask_name(call.contact.name)}"
            f"（{call.contact.role}）{tried}",
            subject_type="disaster_call",
            subject_id=str(call.pk),
            division_code=call.division_code,
            role="village_worker",
            fingerprint=_fp(call),
            due_on=timezone.localtime(due).date(),
            data={"warning": call.warning_id, "link": f"/disaster/warnings/{call.warning_id}/"},
        )


def call_item_close(call: Call) -> None:
    items_close_by_producer([_fp(call)], "已接通")


def _warn_days(region: str, on: dt.date) -> int:
    from minzheng.payments.sources import param_int

    return param_int(EXPIRY_WARN, region, on, 90)


@producer(STOCK_SOURCE, {"disaster_stock_expiring": "救灾物资临期"})
def lots_expiring() -> Iterator[ItemSpec]:
    today = timezone.localdate()
    lots = Lot.objects.filter(quantity__gt=0, expires_on__isnull=False).select_related("item", "warehouse")
    for lot in lots.order_by("expires_on", "pk"):
        assert lot.expires_on is not None
        if lot.expires_on > today + dt.timedelta(days=_warn_days(lot.warehouse.division_code, today)):
            continue
        state = "已过期" if lot.expires_on <= today else f"将于 {lot.expires_on} 到期"
        yield ItemSpec(
            source=STOCK_SOURCE,
            kind="disaster_stock_expiring",
            title=f"{lot.warehouse.name} {lot.item.name} {lot.quantity}{lot.item.unit}"
            f"（批次 {lot.batch_no}）{state}，请轮换或报损",
            subject_type="disaster_lot",
            subject_id=str(lot.pk),
            division_code=lot.warehouse.division_code,
            role="disaster_officer",
            fingerprint=f"disaster:lot:{lot.pk}:{lot.expires_on.isoformat()}",
            due_on=lot.expires_on,
            data={"link": f"/disaster/stock/{lot.warehouse_id}/"},
        )


@producer(RECEIPT_SOURCE, {"disaster_receipt_missing": "救灾物资未签收"})
def receipts_missing() -> Iterator[ItemSpec]:
    limit = timezone.localdate() - dt.timedelta(days=RECEIPT_DAYS)
    for dist in Distribution.objects.filter(received_at__isnull=True, issued_on__lt=limit).order_by("pk"):
        yield ItemSpec(
            source=RECEIPT_SOURCE,
            kind="disaster_receipt_missing",
            title=f"{dist.issued_on} 发放至本村的救灾物资尚未签收",
            subject_type="disaster_distribution",
            subject_id=str(dist.pk),
            division_code=dist.division_code,
            role="village_worker",
            fingerprint=f"disaster:receipt:{dist.pk}",
            due_on=dist.issued_on + dt.timedelta(days=RECEIPT_DAYS),
            data={"link": f"/disaster/distributions/{dist.pk}/"},
        )


REPORT_SOURCE = "disaster_report"


def area_villages(event: Event) -> list[str]:
    """The village codes of an event's area (an area code may be a whole town)."""
    from minzheng.core.jurisdiction import prefix_q

    q = Q()
    for code in event.areas:
        q |= prefix_q("code", code)
    return list(Division.objects.filter(q, level=5).order_by("code").values_list("code", flat=True))


@producer(REPORT_SOURCE, {"disaster_report_due": "灾情未报送"})
def reports_due() -> Iterator[ItemSpec]:
    """Until the situation is stable, every village of the area reports each day (条例第十六、十七条)."""
    today = timezone.localdate()
    for event in Event.objects.filter(ended_on__isnull=True).order_by("pk"):
        reported = dict(event.assessments.values_list("division_code", "reported_at"))
        for code in area_villages(event):
            last = reported.get(code)
            if last is not None and timezone.localdate(last) >= today:
                continue
            what = "尚未首报" if last is None else f"今日尚未续报（上次 {timezone.localtime(last):%m-%d %H:%M}）"
            yield ItemSpec(
                source=REPORT_SOURCE,
                kind="disaster_report_due",
                title=f"{event.name}：本村灾情{what}",
                subject_type="disaster_event",
                subject_id=str(event.pk),
                division_code=code,
                role="village_worker",
                fingerprint=f"disaster:report:{event.pk}:{code}:{today.isoformat()}",
                due_on=today,
                data={"link": f"/disaster/events/{event.pk}/assess/"},
            )


def refresh_disaster_items() -> dict[str, dict[str, int]]:
    sources = (CALL_SOURCE, STOCK_SOURCE, RECEIPT_SOURCE, REPORT_SOURCE)
    return {source: refresh(source) for source in sources}
