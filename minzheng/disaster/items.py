"""灾害救助 on the 待办: warning calls not answered in time (the village), lots about to expire (the
disaster office), materials issued and not yet signed for (the village). Producers: a refresh upserts
what is open now and closes what is gone (an answered call, a lot used up or written off, a receipt)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from minzheng.core.masking import mask_name
from minzheng.disaster.models import Call, Distribution, Lot
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


def refresh_disaster_items() -> dict[str, dict[str, int]]:
    return {source: refresh(source) for source in (CALL_SOURCE, STOCK_SOURCE, RECEIPT_SOURCE)}
